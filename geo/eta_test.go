package geo

import (
	"math"
	"testing"
)

func TestHaversine(t *testing.T) {
	cases := []struct {
		name string
		a, b Point
		want float64 // metres
		tol  float64
	}{
		{"same point", Point{-7.25, 112.75}, Point{-7.25, 112.75}, 0, 1e-9},
		{"one degree of latitude", Point{0, 0}, Point{1, 0}, EarthRadius * math.Pi / 180, 1e-6},
		{"one degree of longitude at the equator", Point{0, 0}, Point{0, 1}, EarthRadius * math.Pi / 180, 1e-6},
		// Tugu Pahlawan to Gubeng station, about 2.7 km.
		{"Tugu Pahlawan to Gubeng", Point{-7.2458, 112.7378}, Point{-7.2654, 112.7522}, 2687, 20},
		{"antipodes", Point{0, 0}, Point{0, 180}, EarthRadius * math.Pi, 1e-6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Haversine(tc.a, tc.b)
			if math.Abs(got-tc.want) > tc.tol {
				t.Errorf("Haversine = %.3f, want %.3f ± %g", got, tc.want, tc.tol)
			}
			if back := Haversine(tc.b, tc.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("not symmetric: %v vs %v", got, back)
			}
		})
	}
}

func TestETAModel(t *testing.T) {
	m := DefaultETAModel()
	origin := Point{Lat: -7.25, Lon: 112.75}
	east := func(metres float64) Point {
		return Point{Lat: origin.Lat, Lon: origin.Lon + metres/(metresPerDegree*math.Cos(origin.Lat*math.Pi/180))}
	}
	types := []string{"fire", "police", "dkp", "ambulance", "rescue", "unknown-type"}

	t.Run("known values", func(t *testing.T) {
		cases := []struct {
			typ    string
			d      float64
			wantS  float64
			reason string
		}{
			{"police", 0, 0, "no distance, no time"},
			// 3 km straight = 3.9 km road; vc/a + d/vc = 11.11 + 351.0
			{"police", 3000, 362.1, "linear branch"},
			{"fire", 3000, 9.722 + 3900/9.722, "linear branch, slower engine"},
			// 50 m straight = 65 m road < 2·dc = 123 m: 2·sqrt(65/1)
			{"ambulance", 50, 2 * math.Sqrt(65), "square-root branch"},
			{"unknown-type", 3000, 8.333 + 3900/8.333, "default speed"},
		}
		for _, tc := range cases {
			got, dist := m.ETA(origin, east(tc.d), tc.typ)
			if math.Abs(dist-tc.d) > 0.01*tc.d+1e-6 {
				t.Errorf("%s %gm: distance %.1f", tc.typ, tc.d, dist)
			}
			if math.Abs(got-tc.wantS) > 0.01*tc.wantS+1e-6 {
				t.Errorf("%s %gm (%s): ETA %.1f s, want %.1f", tc.typ, tc.d, tc.reason, got, tc.wantS)
			}
		}
	})

	t.Run("monotone and bounded below by MinETA", func(t *testing.T) {
		for _, typ := range types {
			prev := -1.0
			for d := 0.0; d <= 30000; d += 7.3 {
				eta := m.travel(d, m.speed(typ))
				if eta < prev {
					t.Fatalf("%s: ETA(%g) = %g < ETA(previous) = %g", typ, d, eta, prev)
				}
				if lb := m.MinETA(d); lb > eta+1e-9 {
					t.Fatalf("%s: MinETA(%g) = %g > ETA %g", typ, d, lb, eta)
				}
				prev = eta
			}
		}
	})

	t.Run("continuous where the branches meet", func(t *testing.T) {
		vc := m.Speeds["fire"]
		knee := vc * vc / m.Accel / m.Detour // straight distance of 2·dc road
		below, above := m.travel(knee*(1-1e-9), vc), m.travel(knee*(1+1e-9), vc)
		if math.Abs(above-below) > 1e-6 {
			t.Fatalf("jump at the knee: %g → %g", below, above)
		}
	})

	t.Run("MinETA is the fastest type", func(t *testing.T) {
		for _, d := range []float64{0, 40, 500, 5000} {
			want := math.Inf(1)
			for _, typ := range types {
				want = math.Min(want, m.travel(d, m.speed(typ)))
			}
			if got := m.MinETA(d); math.Abs(got-want) > 1e-9 {
				t.Errorf("MinETA(%g) = %g, want %g", d, got, want)
			}
		}
	})

	t.Run("misconfigured model stays finite", func(t *testing.T) {
		bad := ETAModel{Speeds: map[string]float64{"fire": 0, "police": -3}}
		for _, typ := range []string{"fire", "police", "x"} {
			eta, _ := bad.ETA(origin, east(1000), typ)
			if math.IsInf(eta, 0) || math.IsNaN(eta) || eta <= 0 {
				t.Errorf("%s: ETA %v", typ, eta)
			}
		}
		if lb := bad.MinETA(1000); math.IsInf(lb, 0) || math.IsNaN(lb) || lb <= 0 {
			t.Errorf("MinETA %v", lb)
		}
	})

	t.Run("startup is added", func(t *testing.T) {
		s := m
		s.Startup = 30
		a, _ := m.ETA(origin, east(2000), "fire")
		b, _ := s.ETA(origin, east(2000), "fire")
		if math.Abs(b-a-30) > 1e-9 || s.MinETA(2000) < m.MinETA(2000)+30-1e-9 {
			t.Errorf("startup: %g → %g", a, b)
		}
	})
}
