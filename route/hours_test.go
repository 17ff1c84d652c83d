package route

import (
	"strings"
	"testing"
	"time"

	"cc112/geo"
	"cc112/roads"
)

func TestParseHours(t *testing.T) {
	h, err := ParseHours("*@7-8=0.8; trunk,secondary_link@7=0.5 ;residential@23=1.2")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		hour  int
		class roads.Class
		want  float64
	}{
		{6, roads.Trunk, 1}, {7, roads.Trunk, 0.5}, {7, roads.Secondary, 0.5}, {7, roads.Residential, 0.8},
		{8, roads.Trunk, 0.8}, {9, roads.Trunk, 1}, {23, roads.Residential, 1.2},
	} {
		if got := h[c.hour][c.class]; got != c.want {
			t.Errorf("%02d:00 %s: %v, want %v", c.hour, c.class, got, c.want)
		}
	}
	for _, bad := range []string{"trunk=0.5", "trunk@7-9", "trunk@9-7=0.5", "trunk@7-24=0.5", "road@7=0.5", "trunk@7=0", "trunk@7=x"} {
		if _, err := ParseHours(bad); err == nil || !strings.Contains(err.Error(), bad[:3]) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := ParseHours(DefaultHours); err != nil {
		t.Errorf("the default: %v", err)
	}
}

// The hour of the factors is WIB's: 09:59:59 UTC is 16:59:59 WIB (the
// evening rush), 12:00:00 UTC is 19:00 WIB (free flow).
func TestWeightsByWIBHour(t *testing.T) {
	h, _ := ParseHours("*@16-18=0.5")
	r := New(build(t, []seg{{a: geo.Point{Lat: -7.25, Lon: 112.74}, b: geo.Point{Lat: -7.25, Lon: 112.75}, class: "secondary"}}, nil), Options{Hours: h})
	if w := r.weights(time.Date(2026, 3, 2, 9, 59, 59, 0, time.UTC)); w[roads.Secondary] != 2 {
		t.Errorf("16:59:59 WIB: weight %v, want 2 (half speed)", w[roads.Secondary])
	}
	if w := r.weights(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)); w[roads.Secondary] != 1 {
		t.Errorf("19:00 WIB: weight %v, want 1", w[roads.Secondary])
	}
	if w := r.weights(time.Date(2026, 3, 2, 8, 59, 59, 0, time.UTC)); w[roads.Secondary] != 1 {
		t.Errorf("15:59:59 WIB: weight %v, want 1", w[roads.Secondary])
	}
}
