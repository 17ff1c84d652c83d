package roads

import (
	"math"

	"cc112/geo"
)

// gridCellM is the snapping grid's cell: small enough that a snap within
// 200 m looks at a few dozen segments in a dense city.
const gridCellM = 100

// grid buckets segments by the cells their bounding box covers, in a
// local flat projection (metres east and north of the graph's corner):
// within a city the error is far below a metre at these distances.
type grid struct {
	lat0, lon0 float64
	kx, ky     float64 // metres per degree of longitude, latitude
	nx, ny     int
	start, seg []int32
}

func newGrid(g *Graph) *grid {
	minLat, minLon, maxLat, maxLon := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := range g.lat {
		minLat, maxLat = math.Min(minLat, g.lat[i]), math.Max(maxLat, g.lat[i])
		minLon, maxLon = math.Min(minLon, g.lon[i]), math.Max(maxLon, g.lon[i])
	}
	gr := &grid{lat0: minLat, lon0: minLon, ky: 111_320}
	gr.kx = 111_320 * math.Cos((minLat+maxLat)/2*math.Pi/180)
	gr.nx = int((maxLon-minLon)*gr.kx/gridCellM) + 1
	gr.ny = int((maxLat-minLat)*gr.ky/gridCellM) + 1
	count := make([]int32, gr.nx*gr.ny+1)
	visit := func(s int, f func(cell int)) {
		ax, ay := gr.xy(g.Point(g.segA[s]))
		bx, by := gr.xy(g.Point(g.segB[s]))
		x0, x1 := gr.cellX(math.Min(ax, bx)), gr.cellX(math.Max(ax, bx))
		y0, y1 := gr.cellY(math.Min(ay, by)), gr.cellY(math.Max(ay, by))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				f(y*gr.nx + x)
			}
		}
	}
	for s := range g.segA {
		visit(s, func(c int) { count[c+1]++ })
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	gr.start = count
	gr.seg = make([]int32, count[len(count)-1])
	next := append([]int32(nil), count[:len(count)-1]...)
	for s := range g.segA {
		visit(s, func(c int) { gr.seg[next[c]] = int32(s); next[c]++ })
	}
	return gr
}

func (gr *grid) xy(p geo.Point) (x, y float64) {
	return (p.Lon - gr.lon0) * gr.kx, (p.Lat - gr.lat0) * gr.ky
}

func (gr *grid) cellX(x float64) int { return clamp(int(math.Floor(x/gridCellM)), gr.nx) }
func (gr *grid) cellY(y float64) int { return clamp(int(math.Floor(y/gridCellM)), gr.ny) }

func clamp(v, n int) int {
	if v < 0 {
		return 0
	}
	if v >= n {
		return n - 1
	}
	return v
}

// Snap is a point placed on the road: on segment Seg at fraction T from
// its first node A to B, Point being the foot of the perpendicular.
type Snap struct {
	Seg     int32
	A, B    int32
	Fwd     int32 // edge A→B, -1 if the road is one-way against the drawing
	Back    int32 // edge B→A, -1 if one-way along it
	T       float64
	Point   geo.Point
	AccessM float64 // from the point to Point, driven at a slow speed
}

// Snap projects p onto the nearest segment within maxM metres; false
// when no road is that near.
func (g *Graph) Snap(p geo.Point, maxM float64) (Snap, bool) {
	gr := g.grid
	px, py := gr.xy(p)
	r := int(math.Ceil(maxM / gridCellM))
	cx, cy := int(math.Floor(px/gridCellM)), int(math.Floor(py/gridCellM))
	best, bestD := int32(-1), maxM*maxM
	var bestT float64
	for y := cy - r; y <= cy+r; y++ {
		if y < 0 || y >= gr.ny {
			continue
		}
		for x := cx - r; x <= cx+r; x++ {
			if x < 0 || x >= gr.nx {
				continue
			}
			c := y*gr.nx + x
			for _, s := range gr.seg[gr.start[c]:gr.start[c+1]] {
				ax, ay := gr.xy(g.Point(g.segA[s]))
				bx, by := gr.xy(g.Point(g.segB[s]))
				t := project(px, py, ax, ay, bx, by)
				dx, dy := ax+t*(bx-ax)-px, ay+t*(by-ay)-py
				if d := dx*dx + dy*dy; d < bestD || (d == bestD && s < best) {
					best, bestD, bestT = s, d, t
				}
			}
		}
	}
	if best < 0 {
		return Snap{}, false
	}
	a, b := g.segA[best], g.segB[best]
	pa, pb := g.Point(a), g.Point(b)
	at := geo.Point{Lat: pa.Lat + bestT*(pb.Lat-pa.Lat), Lon: pa.Lon + bestT*(pb.Lon-pa.Lon)}
	return Snap{Seg: best, A: a, B: b, Fwd: g.segFwd[best], Back: g.segBack[best], T: bestT,
		Point: at, AccessM: geo.Haversine(p, at)}, true
}

// project is the fraction along a→b of the foot of p's perpendicular,
// clamped to the segment.
func project(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l := dx*dx + dy*dy
	if l == 0 {
		return 0
	}
	t := ((px-ax)*dx + (py-ay)*dy) / l
	return math.Max(0, math.Min(1, t))
}
