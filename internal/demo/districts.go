package demo

import (
	"math"

	"github.com/paulmach/orb"

	"cc112/geo"
)

// kecamatan are Surabaya's 31 districts, spelled as in the BPS 2020
// boundaries (HDX COD-AB, "district" property), with their area-weighted
// centroids computed once from those boundaries (geo.LoadKelurahanGeoJSON)
// and rounded to 4 decimals (about 11 m).
var kecamatan = [...]struct {
	name     string
	lat, lon float64
}{
	{"Asemrowo", -7.2374, 112.6898},
	{"Benowo", -7.2255, 112.6473},
	{"Bubutan", -7.2488, 112.7278},
	{"Bulak", -7.2366, 112.7891},
	{"Dukuh Pakis", -7.2919, 112.6999},
	{"Gayungan", -7.3300, 112.7269},
	{"Genteng", -7.2591, 112.7449},
	{"Gubeng", -7.2796, 112.7594},
	{"Gunung Anyar", -7.3377, 112.7957},
	{"Jambangan", -7.3231, 112.7157},
	{"Karang Pilang", -7.3352, 112.6884},
	{"Kenjeran", -7.2177, 112.7689},
	{"Krembangan", -7.2287, 112.7216},
	{"Lakarsantri", -7.3131, 112.6557},
	{"Mulyorejo", -7.2667, 112.7991},
	{"Pabean Cantian", -7.2194, 112.7336},
	{"Pakal", -7.2297, 112.6160},
	{"Rungkut", -7.3191, 112.8025},
	{"Sambikerep", -7.2765, 112.6532},
	{"Sawahan", -7.2731, 112.7215},
	{"Semampir", -7.2139, 112.7484},
	{"Simokerto", -7.2395, 112.7533},
	{"Suko Manunggal", -7.2688, 112.6997},
	{"Sukolilo", -7.2918, 112.8072},
	{"Tambaksari", -7.2507, 112.7681},
	{"Tandes", -7.2557, 112.6715},
	{"Tegalsari", -7.2755, 112.7368},
	{"Tenggilis Mejoyo", -7.3245, 112.7540},
	{"Wiyung", -7.3126, 112.6883},
	{"Wonocolo", -7.3223, 112.7417},
	{"Wonokromo", -7.2977, 112.7379},
}

// cityOutline is a hand-simplified outline of Kota Surabaya (lat, lon),
// about 27 corners traced over the BPS boundary at roughly 500 m: the
// port's piers and the mangrove coast are smoothed over, so points within a
// few hundred metres of the real boundary may fall on either side.
var cityOutline = [...][2]float64{
	{-7.2228, 112.5915}, // west tip, Pakal
	{-7.2465, 112.6020},
	{-7.2617, 112.6323},
	{-7.3001, 112.6262},
	{-7.3116, 112.6294},
	{-7.3146, 112.6495},
	{-7.3569, 112.6551}, // south-west, Lakarsantri/Karang Pilang
	{-7.3510, 112.6765},
	{-7.3434, 112.6952},
	{-7.3362, 112.7047},
	{-7.3484, 112.7272}, // Bundaran Waru
	{-7.3367, 112.7554},
	{-7.3455, 112.7837},
	{-7.3433, 112.8266}, // south-east, Gunung Anyar mangroves
	{-7.3098, 112.8458},
	{-7.2859, 112.8465},
	{-7.2601, 112.8346},
	{-7.2557, 112.8065},
	{-7.2108, 112.7820}, // Suramadu bridge
	{-7.1963, 112.7648},
	{-7.1980, 112.7236}, // Tanjung Perak
	{-7.2233, 112.7087},
	{-7.2255, 112.6860},
	{-7.2097, 112.6627},
	{-7.1935, 112.6632}, // Romokalisari
	{-7.2090, 112.6134},
	{-7.2023, 112.5927},
}

// refLat is where a degree of longitude is scaled to metres for the
// Voronoi construction.
const refLat = -7.27

// districts returns the demo kecamatan: the real names and centroids, and
// for each a coarse polygon, the Voronoi cell of its centroid clipped to
// cityOutline. The polygons are approximations for an offline map and for
// Locate without the real boundaries: near a district border they can be
// off by several hundred metres.
func districts() *geo.Districts {
	kx := math.Cos(refLat * math.Pi / 180)
	outline := make([]vec, len(cityOutline))
	for i, c := range cityOutline {
		outline[i] = vec{c[1] * kx, c[0]}
	}
	sites := make([]vec, len(kecamatan))
	for i, k := range kecamatan {
		sites[i] = vec{k.lon * kx, k.lat}
	}
	ds := make([]geo.District, len(kecamatan))
	for i, k := range kecamatan {
		cell := voronoiCell(outline, sites, i)
		d := geo.District{Name: k.name, Centroid: geo.Point{Lat: k.lat, Lon: k.lon}}
		if len(cell) >= 3 {
			ring := make(orb.Ring, 0, len(cell)+1)
			for _, v := range cell {
				ring = append(ring, orb.Point{round6(v.x / kx), round6(v.y)})
			}
			ring = append(ring, ring[0])
			if ring.Orientation() == orb.CW { // RFC 7946: outer rings counter-clockwise
				ring.Reverse()
			}
			d.Geometry = orb.MultiPolygon{{ring}}
		}
		ds[i] = d
	}
	return geo.NewDistricts(ds)
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

type vec struct{ x, y float64 }

// voronoiCell clips the polygon to the points nearer sites[i] than any other
// site: one half-plane per other site (Sutherland–Hodgman; the clip region
// is convex, so a non-convex outline is handled).
func voronoiCell(poly, sites []vec, i int) []vec {
	ci := sites[i]
	for j, cj := range sites {
		if j == i || len(poly) == 0 {
			continue
		}
		// Keep p with (p − m)·n ≤ 0: m the midpoint, n from ci towards cj.
		n := vec{cj.x - ci.x, cj.y - ci.y}
		m := vec{(ci.x + cj.x) / 2, (ci.y + cj.y) / 2}
		poly = clipHalfPlane(poly, func(p vec) float64 { return (p.x-m.x)*n.x + (p.y-m.y)*n.y })
	}
	return poly
}

// clipHalfPlane keeps the part of poly where side(p) ≤ 0.
func clipHalfPlane(poly []vec, side func(vec) float64) []vec {
	out := make([]vec, 0, len(poly)+2)
	for k := range poly {
		s, e := poly[(k+len(poly)-1)%len(poly)], poly[k]
		fs, fe := side(s), side(e)
		if (fs > 0 && fe < 0) || (fs < 0 && fe > 0) {
			t := fs / (fs - fe)
			out = append(out, vec{s.x + t*(e.x-s.x), s.y + t*(e.y-s.y)})
		}
		if fe <= 0 {
			out = append(out, e)
		}
	}
	return out
}
