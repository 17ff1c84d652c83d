// Package roads is the road network of a city: one loader of OpenStreetMap
// ways (GeoJSON or .osm.pbf) that builds the directed graph the router
// searches and lists the named streets the location search finds.
//
// Nodes are the ways' vertices (joined where two ways share one), edges
// the segments between consecutive vertices, so that a route's geometry is
// its nodes and a point is snapped onto a segment, not onto a vertex. The
// graph is kept as flat arrays (forward and reverse adjacency in CSR form)
// to stay well under 64 bytes per edge.
package roads

import (
	"fmt"
	"math"
	"sort"

	"cc112/geo"
)

// Way is one OSM way as read, before it becomes edges.
type Way struct {
	ID       string // "way/24402661" or a feature number
	Name     string
	Highway  string
	Oneway   string
	Junction string
	Maxspeed string
	Access   string
	Line     []geo.Point
}

// Street is a named road: where the location search places its name.
type Street struct {
	Name string
	At   geo.Point // the middle vertex of its longest way
}

// Graph is the directed road graph. It is read-only once built and safe
// for concurrent use.
type Graph struct {
	lat, lon []float64 // per node

	from, to []int32   // per edge
	lenM     []float32 // per edge
	timeS    []float32 // free-flow time per edge
	class    []Class   // per edge

	outStart, outEdge []int32 // forward adjacency: edges leaving a node
	inStart, inEdge   []int32 // reverse adjacency: edges entering a node

	// segments for snapping: one per drawn segment, with the edges that
	// drive it along (fwd) and against (back) the drawing, -1 if none.
	segA, segB, segFwd, segBack []int32
	grid                        *grid

	streets []Street
}

// Nodes and Edges count the graph.
func (g *Graph) Nodes() int { return len(g.lat) }
func (g *Graph) Edges() int { return len(g.from) }

// Point is node n's position.
func (g *Graph) Point(n int32) geo.Point { return geo.Point{Lat: g.lat[n], Lon: g.lon[n]} }

// Edge returns an edge's ends, length, free-flow time and class.
func (g *Graph) Edge(e int32) (from, to int32, lenM, timeS float64, c Class) {
	return g.from[e], g.to[e], float64(g.lenM[e]), float64(g.timeS[e]), g.class[e]
}

// Out and In list the edges leaving and entering node n.
func (g *Graph) Out(n int32) []int32 { return g.outEdge[g.outStart[n]:g.outStart[n+1]] }
func (g *Graph) In(n int32) []int32  { return g.inEdge[g.inStart[n]:g.inStart[n+1]] }

// Streets lists the named ways, one per name, by name.
func (g *Graph) Streets() []Street { return g.streets }

// Bytes is the memory the graph holds (its arrays), for the benchmark's
// bytes-per-edge figure.
func (g *Graph) Bytes() int {
	n := 8*(len(g.lat)+len(g.lon)) + 4*(len(g.from)+len(g.to)+len(g.lenM)+len(g.timeS)) + len(g.class) +
		4*(len(g.outStart)+len(g.outEdge)+len(g.inStart)+len(g.inEdge)) +
		4*(len(g.segA)+len(g.segB)+len(g.segFwd)+len(g.segBack))
	if g.grid != nil {
		n += 4 * (len(g.grid.start) + len(g.grid.seg))
	}
	return n
}

// Builder turns ways into a Graph.
type Builder struct {
	g     Graph
	nodes map[[2]float64]int32
	ways  int
	best  map[string]streetCand
}

type streetCand struct {
	at  geo.Point
	len float64
}

// NewBuilder starts an empty graph.
func NewBuilder() *Builder {
	return &Builder{nodes: map[[2]float64]int32{}, best: map[string]streetCand{}}
}

func (b *Builder) node(p geo.Point) int32 {
	k := [2]float64{p.Lat, p.Lon}
	if n, ok := b.nodes[k]; ok {
		return n
	}
	n := int32(len(b.g.lat))
	b.nodes[k] = n
	b.g.lat = append(b.g.lat, p.Lat)
	b.g.lon = append(b.g.lon, p.Lon)
	return n
}

// Add adds a way: its name to the streets, and its segments as edges when
// vehicles may drive it. A way that is not a road (no highway) is an error
// the loaders report with the way's position in the file.
func (b *Builder) Add(w Way) error {
	for i, p := range w.Line {
		if !p.Valid() || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
			return fmt.Errorf("vertex %d: [%g, %g] is not a longitude, latitude", i, p.Lon, p.Lat)
		}
	}
	if w.Name != "" && len(w.Line) > 0 {
		var n float64
		for i := 1; i < len(w.Line); i++ {
			n += geo.Haversine(w.Line[i-1], w.Line[i])
		}
		if c, ok := b.best[w.Name]; !ok || n > c.len {
			b.best[w.Name] = streetCand{at: w.Line[len(w.Line)/2], len: n}
		}
	}
	b.ways++
	class, ok := drivable(w.Highway)
	if !ok || w.Access == "no" || len(w.Line) < 2 {
		return nil
	}
	kmh := DefaultSpeedsKMH[class]
	if v, ok := maxspeedKMH(w.Maxspeed); ok {
		kmh = v
	}
	speed := kmh / 3.6
	dir := direction(w.Oneway, w.Junction, w.Highway)
	prev := b.node(w.Line[0])
	for _, p := range w.Line[1:] {
		cur := b.node(p)
		if cur == prev {
			continue
		}
		d := geo.Haversine(b.g.Point(prev), b.g.Point(cur))
		fwd, back := int32(-1), int32(-1)
		if dir >= 0 {
			fwd = b.edge(prev, cur, d, speed, class)
		}
		if dir <= 0 {
			back = b.edge(cur, prev, d, speed, class)
		}
		b.g.segA = append(b.g.segA, prev)
		b.g.segB = append(b.g.segB, cur)
		b.g.segFwd = append(b.g.segFwd, fwd)
		b.g.segBack = append(b.g.segBack, back)
		prev = cur
	}
	return nil
}

func (b *Builder) edge(from, to int32, lenM, speed float64, c Class) int32 {
	e := int32(len(b.g.from))
	b.g.from = append(b.g.from, from)
	b.g.to = append(b.g.to, to)
	b.g.lenM = append(b.g.lenM, float32(lenM))
	b.g.timeS = append(b.g.timeS, float32(lenM/speed))
	b.g.class = append(b.g.class, c)
	return e
}

// Graph finishes the graph: adjacency, the snapping grid and the streets.
// A file without one drivable segment is an error.
func (b *Builder) Graph() (*Graph, error) {
	g := &b.g
	if b.ways == 0 {
		return nil, fmt.Errorf("no ways")
	}
	if len(g.from) == 0 {
		return nil, fmt.Errorf("none of its %d ways is a road vehicles may drive", b.ways)
	}
	n := len(g.lat)
	g.outStart, g.outEdge = csr(n, g.from)
	g.inStart, g.inEdge = csr(n, g.to)
	g.grid = newGrid(g)
	for name, c := range b.best {
		g.streets = append(g.streets, Street{Name: name, At: c.at})
	}
	sort.Slice(g.streets, func(i, j int) bool { return g.streets[i].Name < g.streets[j].Name })
	b.nodes, b.best = nil, nil
	return g, nil
}

// csr groups edge ids by their key node (from or to).
func csr(n int, key []int32) (start, list []int32) {
	start = make([]int32, n+1)
	for _, k := range key {
		start[k+1]++
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	list = make([]int32, len(key))
	next := append([]int32(nil), start[:n]...)
	for e, k := range key {
		list[next[k]] = int32(e)
		next[k]++
	}
	return start, list
}
