package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
)

type trackFeature struct {
	Type     string `json:"type"`
	Geometry struct {
		Type        string       `json:"type"`
		Coordinates [][2]float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		UnitID string   `json:"unit_id"`
		Times  []string `json:"times"`
		Count  int      `json:"count"`
	} `json:"properties"`
}

// A unit drives north for ten minutes reporting every 5 s; its track comes
// back as a LineString, on the embedded journal (sampled unit.moved events)
// and on PostgreSQL (breadcrumbs).
func TestTrackPlayback(t *testing.T) {
	tests := []struct {
		name     string
		database func(t *testing.T) string
		minFixes int
	}{
		{"embedded", func(*testing.T) string { return "" }, 10},              // a sample per 15 s
		{"postgres", func(t *testing.T) string { return pgtest.URL(t) }, 30}, // a breadcrumb per 5 s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := clocktest.New(time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC))
			m := NewMain()
			m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
			m.Store.DatabaseURL = tt.database(t)
			m.Clock = clock
			m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer m.Close(context.Background())
			unit := m.Engine.Units()[0].ID
			dispatcher := login(t, m.URL(), "dispatcher")
			start := clock.Now()
			for i := 0; i < 120; i++ {
				status, body, err := postJSON(fmt.Sprintf("%s/api/v1/units/%s/position", m.URL(), unit), dispatcher,
					fmt.Sprintf(`{"lat":%f,"lon":112.74,"speed":10}`, -7.30+float64(i)*0.0005))
				if err != nil || status != http.StatusOK {
					t.Fatalf("position %d: %d %s %v", i, status, body, err)
				}
				clock.Advance(5 * time.Second)
			}
			url := fmt.Sprintf("%s/api/v1/units/%s/track?from=%s&to=%s", m.URL(), unit,
				start.Format(time.RFC3339), clock.Now().Format(time.RFC3339))
			var feat trackFeature
			deadline := time.Now().Add(20 * time.Second)
			for {
				feat = getTrack(t, dispatcher, url)
				if feat.Properties.Count >= tt.minFixes || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond) // breadcrumbs are flushed every second
			}
			if feat.Type != "Feature" || feat.Geometry.Type != "LineString" || feat.Properties.UnitID != unit {
				t.Fatalf("track is %s/%s of %q", feat.Type, feat.Geometry.Type, feat.Properties.UnitID)
			}
			c := feat.Geometry.Coordinates
			if feat.Properties.Count < tt.minFixes || len(c) != feat.Properties.Count || len(feat.Properties.Times) != len(c) {
				t.Fatalf("%d fixes, %d coordinates, %d times; want at least %d", feat.Properties.Count, len(c), len(feat.Properties.Times), tt.minFixes)
			}
			for i := 1; i < len(c); i++ {
				if c[i][1] <= c[i-1][1] || c[i][0] != 112.74 { // [lon, lat], driving north
					t.Fatalf("coordinates %d: %v after %v", i, c[i], c[i-1])
				}
			}
			for _, bad := range []string{"?from=yesterday", "?from=2026-11-22T09:00:00Z&to=2026-11-22T08:00:00Z", "?from=2026-01-01T00:00:00Z&to=2026-11-22T00:00:00Z"} {
				res, err := bearer(dispatcher).Get(fmt.Sprintf("%s/api/v1/units/%s/track%s", m.URL(), unit, bad))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400", bad, res.StatusCode)
				}
			}
		})
	}
}

func getTrack(t *testing.T, token, url string) trackFeature {
	t.Helper()
	res, err := bearer(token).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var feat trackFeature
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("track: %d %s", res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(&feat); err != nil {
		t.Fatal(err)
	}
	return feat
}
