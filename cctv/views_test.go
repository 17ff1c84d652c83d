package cctv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/cctv"
	"cc112/geo"
)

func TestViewsAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	eng, views, j := openEngine(t, dir)
	cams := []cc112.Camera{{ID: "c1", Name: "Tugu", Location: geo.Point{Lat: -7.2458, Lon: 112.7378}},
		{ID: "c2", Name: "Darmo", Location: geo.Point{Lat: -7.28, Lon: 112.73}}}
	if err := eng.RegisterCameras(ctx, cams); err != nil {
		t.Fatal(err)
	}
	a, err := views.Start(ctx, cctv.View{CameraID: "c1", Client: "10.0.0.9", IncidentID: "inc-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := views.End(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := views.End(ctx, a.ID); err != nil { // twice: no error, no second end
		t.Fatal(err)
	}
	b, err := views.Start(ctx, cctv.View{CameraID: "c2", Client: "10.0.0.7", Reason: "patroli"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []cctv.View{{CameraID: "nope"}, {CameraID: "c1", Reason: strings.Repeat("x", 501)}} {
		if _, err := views.Start(ctx, bad); err == nil {
			t.Errorf("Start(%+v) succeeded", bad)
		}
	}
	// Crash: the journal closes while view b is open.
	j.Close()
	_, views, j = openEngine(t, dir)
	defer j.Close()

	page, err := views.List(cctv.ViewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	all := page.Items
	if len(all) != 2 || all[0].ID != b.ID || all[1].ID != a.ID {
		t.Fatalf("List = %+v, want b then a", all)
	}
	if all[1].EndedAt == nil || all[1].User != "anonymous" || all[1].IncidentID != "inc-1" || all[1].Client != "10.0.0.9" {
		t.Errorf("view a after replay: %+v", all[1])
	}
	if all[0].EndedAt != nil || all[0].StartedAt.IsZero() || all[0].Reason != "patroli" {
		t.Errorf("view b, open when the server stopped: %+v", all[0])
	}
	tests := []struct {
		name string
		f    cctv.ViewFilter
		want int
	}{
		{"by camera", cctv.ViewFilter{CameraID: "c1"}, 1},
		{"other camera", cctv.ViewFilter{CameraID: "c3"}, 0},
		{"to before both", cctv.ViewFilter{To: a.StartedAt.Add(-time.Second)}, 0},
		{"from after a ended: the open view b only", cctv.ViewFilter{From: time.Now().Add(time.Hour)}, 1},
	}
	for _, tc := range tests {
		if got, err := views.List(tc.f); err != nil || len(got.Items) != tc.want {
			t.Errorf("%s: %d views (%v), want %d", tc.name, len(got.Items), err, tc.want)
		}
	}
}
