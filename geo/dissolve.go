package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// vertexScale rounds coordinates to 1e-7° (about 1 cm) to match vertices
// of neighbouring polygons that were digitised once but stored twice.
const vertexScale = 1e7

type vkey struct{ x, y int64 }

type edge struct{ a, b vkey }

func keyOf(p orb.Point) vkey {
	return vkey{int64(math.Round(p[0] * vertexScale)), int64(math.Round(p[1] * vertexScale))}
}

// dissolve merges polygons that tile an area into the outline of their
// union. Rings are oriented (outers counter-clockwise, holes clockwise) so
// that an edge two neighbours share appears once in each direction; such
// pairs cancel, and what is left is chained into rings, keeping the interior
// on the left and taking the leftmost turn where several edges leave a
// vertex (so lobes touching at a point stay separate rings).
//
// It reports false when the result is not sound: an edge that leads
// nowhere, a hole inside no outer ring, or a point inside one of the parts
// that is not inside the result (slivers from boundaries that do not share
// vertices).
func dissolve(parts orb.MultiPolygon) (orb.MultiPolygon, bool) {
	coord := map[vkey]orb.Point{}
	count := map[edge]int{}
	for _, poly := range parts {
		for ri, ring := range poly {
			keys := ringKeys(ring, coord)
			if len(keys) < 3 {
				continue
			}
			area := keyArea(keys)
			if area == 0 {
				continue
			}
			if (ri == 0) != (area > 0) { // outers CCW, holes CW
				slices.Reverse(keys)
			}
			for i, a := range keys {
				count[edge{a, keys[(i+1)%len(keys)]}]++
			}
		}
	}
	// Cancel shared edges, one for one, and index what remains by start.
	out := map[vkey][]vkey{}
	var starts []edge
	for e, n := range count {
		n -= count[edge{e.b, e.a}]
		for range n {
			out[e.a] = append(out[e.a], e.b)
			starts = append(starts, e)
		}
	}
	cmpKey := func(a, b vkey) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		return cmp.Compare(a.y, b.y)
	}
	slices.SortFunc(starts, func(e, f edge) int {
		if c := cmpKey(e.a, f.a); c != 0 {
			return c
		}
		return cmpKey(e.b, f.b)
	})
	for _, v := range out {
		slices.SortFunc(v, cmpKey) // determinism before turns decide
	}
	take := func(from, to vkey) bool {
		l := out[from]
		i := slices.Index(l, to)
		if i < 0 {
			return false
		}
		out[from] = slices.Delete(l, i, i+1)
		return true
	}

	var shells, holes []orb.Ring
	for _, s := range starts {
		if !take(s.a, s.b) {
			continue // already used by an earlier ring
		}
		keys := []vkey{s.a}
		prev, cur := s.a, s.b
		for cur != s.a {
			next, ok := leftmost(prev, cur, out[cur])
			if !ok || len(keys) > len(count)+1 {
				return nil, false
			}
			take(cur, next)
			keys = append(keys, cur)
			prev, cur = cur, next
		}
		if len(keys) < 3 {
			continue
		}
		area := keyArea(keys)
		ring := make(orb.Ring, 0, len(keys)+1)
		for _, k := range keys {
			ring = append(ring, coord[k])
		}
		ring = append(ring, ring[0])
		switch {
		case area > 0:
			shells = append(shells, ring)
		case area < 0:
			holes = append(holes, ring)
		} // zero area: a spike that folded back on itself
	}
	if len(shells) == 0 {
		return nil, false
	}
	result := make(orb.MultiPolygon, len(shells))
	shellArea := make([]float64, len(shells))
	shellBound := make([]orb.Bound, len(shells))
	for i, s := range shells {
		result[i] = orb.Polygon{s}
		shellArea[i] = planar.Area(s)
		shellBound[i] = s.Bound()
	}
	for _, h := range holes {
		hb := h.Bound()
		best := -1
		for i, s := range shells {
			if shellBound[i].Contains(hb.Min) && shellBound[i].Contains(hb.Max) &&
				planar.RingContains(s, h[0]) && (best < 0 || shellArea[i] < shellArea[best]) {
				best = i
			}
		}
		if best < 0 {
			return nil, false
		}
		result[best] = append(result[best], h)
	}
	slices.SortStableFunc(result, func(a, b orb.Polygon) int { return cmp.Compare(planar.Area(b), planar.Area(a)) })
	for _, poly := range parts {
		if p, ok := interiorPoint(poly); ok && !planar.MultiPolygonContains(result, p) {
			return nil, false
		}
	}
	return result, true
}

// ringKeys returns the ring's rounded vertices without repeats or the
// closing point, remembering one original coordinate for each.
func ringKeys(r orb.Ring, coord map[vkey]orb.Point) []vkey {
	keys := make([]vkey, 0, len(r))
	for _, p := range r {
		k := keyOf(p)
		if len(keys) > 0 && keys[len(keys)-1] == k {
			continue
		}
		if _, ok := coord[k]; !ok {
			coord[k] = p
		}
		keys = append(keys, k)
	}
	for len(keys) > 1 && keys[0] == keys[len(keys)-1] {
		keys = keys[:len(keys)-1]
	}
	return keys
}

// keyArea is twice the signed area of a ring of rounded vertices, exact in
// integers relative to the first vertex for city-sized rings.
func keyArea(keys []vkey) float64 {
	var a float64
	o := keys[0]
	for i := 1; i+1 < len(keys); i++ {
		x1, y1 := float64(keys[i].x-o.x), float64(keys[i].y-o.y)
		x2, y2 := float64(keys[i+1].x-o.x), float64(keys[i+1].y-o.y)
		a += x1*y2 - x2*y1
	}
	return a
}

// leftmost picks, among the edges leaving cur, the sharpest left turn
// relative to the incoming edge prev→cur (a U-turn counts as the least
// left, being a spike).
func leftmost(prev, cur vkey, cands []vkey) (vkey, bool) {
	if len(cands) == 0 {
		return vkey{}, false
	}
	ux, uy := float64(cur.x-prev.x), float64(cur.y-prev.y)
	best, bestAngle := cands[0], math.Inf(-1)
	for _, c := range cands {
		wx, wy := float64(c.x-cur.x), float64(c.y-cur.y)
		angle := math.Atan2(ux*wy-uy*wx, ux*wx+uy*wy)
		if angle == math.Pi {
			angle = -math.Pi
		}
		if angle > bestAngle {
			best, bestAngle = c, angle
		}
	}
	return best, true
}

// interiorPoint returns a point strictly inside poly: the middle of the
// widest span of a horizontal line through the middle of its outer ring.
func interiorPoint(poly orb.Polygon) (orb.Point, bool) {
	if len(poly) == 0 || len(poly[0]) < 4 {
		return orb.Point{}, false
	}
	b := poly[0].Bound()
	y := (b.Min[1] + b.Max[1]) / 2
	var xs []float64
	for _, r := range poly {
		for i := 0; i+1 < len(r); i++ {
			a, c := r[i], r[i+1]
			if (a[1] > y) != (c[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(c[0]-a[0])/(c[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	bestW, bestX := 0.0, 0.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > bestW {
			bestW, bestX = w, (xs[i]+xs[i+1])/2
		}
	}
	if bestW == 0 {
		return orb.Point{}, false
	}
	return orb.Point{bestX, y}, true
}
