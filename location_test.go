package cc112

import (
	"testing"

	"cc112/geo"
)

func TestPointOfPair(t *testing.T) {
	want := geo.Point{Lat: -7.2575, Lon: 112.7521}
	for _, s := range []string{"-7.2575, 112.7521", "-7.2575,112.7521", " -7.2575  112.7521 ", "-7.2575;112.7521"} {
		p, ok, err := PointOfPair(s)
		if !ok || err != nil || p != want {
			t.Errorf("%q: %v %v %v", s, p, ok, err)
		}
	}
	for _, s := range []string{"raya darmo", "Jl. 17 Agustus 5", "-7.2575", "1, 2, 3", "-7.2575, 112.7521 darmo", "-7,2575, 112,7521", "NaN, 1", ""} {
		if _, ok, err := PointOfPair(s); ok || err != nil {
			t.Errorf("%q read as coordinates (%v)", s, err)
		}
	}
	for _, s := range []string{"95, 112.75", "-7.25, 200", "0, 0"} {
		if _, ok, err := PointOfPair(s); !ok || ErrorCode(err) != EInvalid {
			t.Errorf("%q: ok %v, err %v", s, ok, err)
		}
	}
}
