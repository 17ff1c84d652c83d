package main

import (
	"cc112"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112/callcenter"
	"cc112/geo"
	"cc112/internal/testenv"
)

// TestMediaCenterStatsInBrowser files complaints on the real Surabaya
// geography (kecamatan and kelurahan from the shared data), then drives the
// supervisors' statistics page and the public one in headless Chromium
// (web/e2e/mediacenter.mjs), which checks what they show against the
// counts below. DISPATCH_SCREENSHOTS=DIR keeps screenshots (wall, 4K, phone;
// Bahasa Indonesia and English).
func TestMediaCenterStatsInBrowser(t *testing.T) {
	browser := needBrowser(t)
	kel := testenv.SharedData(t, "surabaya_kelurahan_hdx_bps2020.geojson")
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.City.Dir = filepath.Dir(kel)
	m.Cameras.ProbeInterval = 0
	m.CallCenter.TriageSLA = time.Second // the desk shows its alert within the test
	m.HTTP.InboundWebhookSecret = []byte("e2e-webhook-secret")
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })

	ctx := context.Background()
	tugu := geo.Point{Lat: -7.2458, Lon: 112.7378}     // Tugu Pahlawan
	kenjeran := geo.Point{Lat: -7.2340, Lon: 112.7960} // east of the centre
	file := func(cat string, p geo.Point) *callcenter.Filed {
		t.Helper()
		f, err := m.Calls.FileComplaint(ctx, callcenter.NewComplaint{Text: "Aduan uji", Category: cat, Location: &p})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	first := file("road", tugu)
	second := file("road", tugu)
	file("road", tugu) // three about one place: two repeats of the first
	w1 := file("waste", kenjeran)
	file("waste", kenjeran) // a repeat of w1
	water := file("water", tugu)
	for id, agencies := range map[string][]string{first.ID: {"pupr"}, w1.ID: {"dkp"}, water.ID: {"pdam", "pupr"}} {
		if _, err := m.Calls.Forward(ctx, id, agencies, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	for id, agency := range map[string]string{first.ID: "pupr", w1.ID: "dkp", water.ID: "pupr"} {
		if _, err := m.Calls.Respond(ctx, id, agency, "Ditangani", "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Calls.Feedback(ctx, water.ID, "PDAM menambal pipa", "", ""); err != nil { // the citizen may rate it
		t.Fatal(err)
	}
	st, err := m.Calls.Stats(time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "kecamatan")
	if err != nil {
		t.Fatal(err)
	}
	if first.District == "" || st.Total != 6 || len(st.Rows) != 2 {
		t.Fatalf("the real geography did not place the complaints: %q %+v", first.District, st.Rows)
	}
	var mapTitles []string
	for _, r := range st.Rows {
		mapTitles = append(mapTitles, r.Key+": "+strconv.Itoa(r.Complaints))
	}
	// By hand: road 3, waste 2, water 1; pupr answered 2 of 2 in time
	// (pdam's hour is not up: nothing decided), dkp 1 of 1.
	expect := map[string]any{
		"total":          6,
		"categoriesID":   [][]string{{"Jalan rusak", "3"}, {"Sampah", "2"}, {"Air PDAM", "1"}},
		"categoriesEN":   []string{"Damaged road", "Waste", "Water (PDAM)"},
		"mapTitles":      mapTitles,
		"repeats":        [][]string{{first.Number, "3"}, {w1.Number, "2"}},
		"agencySharesID": [][]string{{"belum diteruskan", "—"}, {"PUPR", "100%"}, {"DKP", "100%"}, {"PDAM", "—"}},
		"csvAgency":      []string{"agency,,3", "agency,pupr,2", "agency,dkp,1", "agency,pdam,1"},
		"unforwarded":    second.Number,
		"rate":           water.Number + ":" + water.Token,
	}
	js, _ := json.Marshal(expect)
	out := browser.run(t, 2*time.Minute, "mediacenter.mjs", []string{m.URL()}, "EXPECT="+string(js),
		"WEBHOOK_SECRET="+string(m.HTTP.InboundWebhookSecret),
		"BAD_MAIL="+filepath.Join(testenv.RepoRoot(), "inbound", "testdata", "go-message-mailstring.eml"))
	if !strings.Contains(out, "1 passed, 0 failed") {
		t.Fatal("the browser script did not finish")
	}
	// What the browser did is in the engine.
	got, err := m.Calls.Complaint(second.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, f := range got.Forwards {
		states[f.Agency] = f.Status + " " + f.Reason
	}
	if len(got.Forwards) != 3 || states["pupr"] != "open " || states["dishub"] != "rejected Parkir liar urusan Satpol PP" ||
		states["satpolpp"] != "open " || got.TriageAlertAt == nil {
		t.Fatalf("the desk's forward: %v, triage alert %v", states, got.TriageAlertAt)
	}
	if w, _ := m.Calls.Complaint(water.ID); w.Reopened != 1 || w.RatingText != "Pipa masih bocor di depan rumah" {
		t.Fatalf("the citizen's rating: %+v", w)
	}
	if q, err := m.Calls.Quarantined(cc112.PageRequest{}); err != nil || len(q.Items) != 1 {
		t.Fatal("the malformed e-mail is not in the quarantine")
	}
}
