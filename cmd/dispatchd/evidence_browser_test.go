package main

import (
	"net/http"
	"os"
	"testing"
	"time"

	"cc112/auth"
	"cc112/cctv"
	"cc112/cctv/record"
)

// TestIncidentCamerasInBrowser drives "what the nearest cameras saw"
// (web/e2e/evidence.mjs) against dispatchd recording two camsim cameras
// marked "always record" before an incident is called in among them: the
// dispatcher's panel shows them recorded from before the call with a play
// link at the evidence lock's start, the export question in WIB makes a
// file whose SHA-256 is the manifest's, and the police page's export
// without a reason is refused in words; an export whose answer was lost is
// retried by the page with its key, and a supervisor releases the lock.
// Afterwards exactly one export (one file) is journaled and its downloads
// are in the audit. DISPATCH_SCREENSHOTS=DIR
// keeps the screenshots.
func TestIncidentCamerasInBrowser(t *testing.T) {
	browser := needBrowser(t)
	configure := func(m *Main) {
		m.Cameras.Record = RecordConfig{Dir: t.TempDir(), BudgetMB: 200, Segment: time.Second, PreRoll: 4 * time.Second, Near: 2}
	}
	// Recording before the call: the cameras are marked "always record"
	// and hold more than the pre-roll of video when the call comes in.
	before := func(sc *cameraScene) {
		sup := tokenFor(t, sc.m, auth.Supervisor)
		for _, id := range []string{"ev1", "ev2"} {
			if code, b, err := postJSON(sc.m.URL()+"/api/v1/cameras/"+id+"/record", sup, `{"always":true}`); err != nil || code != http.StatusOK {
				t.Fatalf("always record %s: %d %s %v", id, code, b, err)
			}
		}
		deadline := time.Now().Add(40 * time.Second)
		for {
			var got struct {
				Segments []record.Segment `json:"items"`
			}
			getJSONAs(t, sc.m.URL()+"/api/v1/cameras/ev1/recordings", sc.dispatcher, &got)
			if n := len(got.Segments); n > 0 && got.Segments[n-1].End.Sub(got.Segments[0].Start) > 7*time.Second {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("ev1 recorded %+v in 40 s", got.Segments)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	sc := newCameraSceneWith(t, configure, before, true, 2, "ev", `{"category":"crime","priority":1,
		"location":{"lat":-7.2458,"lon":112.7378},"address":"Jl. Tunjungan 12"}`)
	m, inc := sc.m, sc.incident

	// The recorder locks the incident's cameras at its next round.
	var ev struct {
		Lock *cctv.EvidenceLock `json:"lock"`
	}
	deadline := time.Now().Add(30 * time.Second)
	for getJSONAs(t, m.URL()+"/api/v1/incidents/"+inc.ID+"/evidence", sc.dispatcher, &ev); ev.Lock == nil; getJSONAs(t, m.URL()+"/api/v1/incidents/"+inc.ID+"/evidence", sc.dispatcher, &ev) {
		if time.Now().After(deadline) {
			t.Fatal("no evidence lock in 30 s")
		}
		time.Sleep(250 * time.Millisecond)
	}
	browser.run(t, 3*time.Minute, "evidence.mjs", nil, "BASE_URL="+m.URL(), "INCIDENT="+inc.Number, "INCIDENT_ID="+inc.ID,
		"CAMERA=ev1", "LOCK_FROM="+ev.Lock.From.Format(time.RFC3339Nano))

	var after struct {
		Exports []cctv.Manifest `json:"exports"`
	}
	getJSONAs(t, m.URL()+"/api/v1/incidents/"+inc.ID+"/evidence", sc.dispatcher, &after)
	if len(after.Exports) != 1 || after.Exports[0].User != "dispatcher" {
		t.Fatalf("exports after the browser: %+v, want the dispatcher's one", after.Exports)
	}
	if files, err := os.ReadDir(m.Recorded.ExportDir()); err != nil || len(files) != 1 {
		t.Errorf("export folder after a retried export: %v %v, want one file", files, err)
	}
	var ev2 struct {
		Lock *cctv.EvidenceLock `json:"lock"`
	}
	if getJSONAs(t, m.URL()+"/api/v1/incidents/"+inc.ID+"/evidence", sc.dispatcher, &ev2); ev2.Lock.ReleasedAt == nil || ev2.Lock.ReleasedBy != "supervisor" {
		t.Errorf("lock after the supervisor's release: %+v", ev2.Lock)
	}
	var audit struct {
		Items []auth.Entry `json:"items"`
	}
	getJSONAs(t, m.URL()+"/api/v1/audit?action=evidence_download&limit=100", tokenFor(t, m, auth.Admin), &audit)
	downloads := 0
	for _, e := range audit.Items {
		if e.Action == auth.ActionEvidenceDownload && e.Target == after.Exports[0].ID && e.User == "dispatcher" {
			downloads++
		}
	}
	if downloads != 2 {
		t.Errorf("%d downloads of %s audited, want 2 (the file and its manifest)", downloads, after.Exports[0].ID)
	}
}
