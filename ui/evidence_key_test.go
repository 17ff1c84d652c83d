package ui

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/cctv"
	"cc112/city"
	"cc112/dispatch"
	"cc112/httperr"
	"cc112/paging"
)

// TestEvidenceExportHonoursIdempotencyKey: an export retried with its
// Idempotency-Key answers the first export (same id, same hash) without a
// second file or a second journaled export, also after a restart; the key
// with another body is refused (409 key_reused) and changes nothing; a
// police export without a reason is refused with reason_required.
func TestEvidenceExportHonoursIdempotencyKey(t *testing.T) {
	s, cam, start, inc := newEvidenceCase(t)
	path := "/api/v1/incidents/" + inc.ID + "/evidence"
	body := func(reason string) string {
		b, _ := json.Marshal(map[string]any{"camera": cam, "from": start.Add(time.Second), "to": start.Add(2 * time.Second), "reason": reason})
		return string(b)
	}
	reasonOf := func(r resp) string {
		var e httperr.Body
		r.decode(t, &e)
		return e.Error.Reason
	}
	if r := s.as(auth.Police, "POST", path, body("  "), "Idempotency-Key", "k0"); r.status != 400 || reasonOf(r) != cc112.RReasonRequired {
		t.Errorf("police export without a reason: %d %s, want 400 %s", r.status, r.body, cc112.RReasonRequired)
	}

	var first, again cctv.Manifest
	r1 := s.as(auth.Police, "POST", path, body("LP/B/77/XII/2026"), "Idempotency-Key", "k1")
	r2 := s.as(auth.Police, "POST", path, body("LP/B/77/XII/2026"), "Idempotency-Key", "k1")
	r1.decode(t, &first)
	r2.decode(t, &again)
	if r1.status != 201 || r2.status != 201 || first.ID == "" || again.ID != first.ID || again.SHA256 != first.SHA256 || again.Signature != first.Signature {
		t.Fatalf("export retried with its key: %d %s, then %d %s", r1.status, r1.body, r2.status, r2.body)
	}
	r3 := s.as(auth.Police, "POST", path, body("another reason"), "Idempotency-Key", "k1")
	if r3.status != 409 || r3.errCode(t) != cc112.EConflict || reasonOf(r3) != cc112.RKeyReused {
		t.Errorf("the key with another body: %d %s, want 409 %s", r3.status, r3.body, cc112.RKeyReused)
	}
	files := func() int {
		t.Helper()
		es, err := os.ReadDir(s.recorded.ExportDir())
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	exported := func(j cc112.Journal) int {
		t.Helper()
		n := 0
		if err := j.Replay(context.Background(), 0, func(ev cc112.Event) error {
			if ev.Type == cc112.EvEvidenceExported {
				n++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, e := files(), exported(s.journal); n != 1 || e != 1 {
		t.Errorf("after a retry and a conflict: %d files, %d exports journaled; want 1 and 1", n, e)
	}

	// The signed manifest downloads as a file, the download audited.
	var got cctv.Manifest
	dl := s.as(auth.Police, "GET", "/api/v1/evidence/"+first.ID+"/manifest", "")
	dl.decode(t, &got)
	if dl.status != 200 || got.Signature != first.Signature || got.SHA256 != first.SHA256 || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("manifest download: %d %v %s", dl.status, dl.header, dl.body)
	}
	audit, err := s.store.Audit(context.Background(), auth.AuditFilter{Action: auth.ActionEvidenceDownload})
	if err != nil || len(audit.Items) != 1 || audit.Items[0].Target != first.ID || audit.Items[0].User != "police" {
		t.Errorf("the download's audit: %+v %v", audit.Items, err)
	}

	// A restart: a new engine on the same journal remembers the key.
	recs := cctv.NewRecordings()
	ds := city.Demo().Districts
	if _, err := dispatch.New(context.Background(), dispatch.Config{Journal: s.journal, Districts: ds, Area: ds, AreaMargin: 2000},
		callcenter.New(callcenter.Config{Districts: ds}), auth.New(auth.Config{}), cctv.NewViews(), recs, alerts.New(alerts.Config{}),
		paging.New(paging.Config{})); err != nil {
		t.Fatal(err)
	}
	// The fingerprint the first request had: its method, path and body.
	req := httptest.NewRequest("POST", path, nil)
	req.Header.Set("Idempotency-Key", "k1")
	_, fp, _ := idempotency(req, []byte(body("LP/B/77/XII/2026")))
	m, err := recs.Export(context.Background(), s.recorded, cctv.ExportRequest{IncidentID: inc.ID, CameraID: cam,
		From: start.Add(time.Second), To: start.Add(2 * time.Second), User: "police", Reason: "LP/B/77/XII/2026", Key: "k1", Fingerprint: fp})
	if err != nil || m.ID != first.ID || m.SHA256 != first.SHA256 {
		t.Errorf("after a restart the retry answers %+v %v, want export %s", m, err, first.ID)
	}
	if n, e := files(), exported(s.journal); n != 1 || e != 1 {
		t.Errorf("after a restart and a retry: %d files, %d exports journaled; want 1 and 1", n, e)
	}
}
