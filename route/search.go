package route

import (
	"math"
	"sort"
	"time"

	"cc112/geo"
	"cc112/roads"
)

// search is one query's scratch, pooled: per-node arrays are reset by a
// generation stamp rather than cleared, so a query costs what it visits.
type search struct {
	gen    uint32
	stamp  []uint32 // dist/parent valid when stamp == gen
	done   []uint32 // settled when done == gen
	dist   []float64
	distM  []float64
	parent []int32 // edge node → next node towards the destination
	heap   []item
	seen   []uint32 // per target: reached in this query
}

type item struct {
	d float64
	n int32
}

func newSearch(n int) *search {
	return &search{stamp: make([]uint32, n), done: make([]uint32, n), dist: make([]float64, n),
		distM: make([]float64, n), parent: make([]int32, n)}
}

func (s *search) reset(targets int) {
	s.gen++
	if s.gen == 0 { // wrapped: stamps of 2³² queries ago would look current
		clear(s.stamp)
		clear(s.done)
		clear(s.seen)
		s.gen = 1
	}
	s.heap = s.heap[:0]
	if len(s.seen) < targets {
		s.seen = append(s.seen, make([]uint32, targets-len(s.seen))...)
	}
}

func (s *search) relax(n int32, d, dm float64, parent int32) {
	if s.stamp[n] == s.gen && s.dist[n] <= d {
		return
	}
	s.stamp[n], s.dist[n], s.distM[n], s.parent[n] = s.gen, d, dm, parent
	s.push(item{d, n})
}

func (s *search) push(it item) {
	h := append(s.heap, it)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].d <= it.d {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
	s.heap = h
}

func (s *search) pop() item {
	h := s.heap
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	i := 0
	for {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1].d < h[c].d {
			c++
		}
		if last.d <= h[c].d {
			break
		}
		h[i] = h[c]
		i = c
	}
	if len(h) > 0 {
		h[i] = last
	}
	s.heap = h
	return top
}

// cand is a target's best answer so far.
type cand struct {
	t        int32
	eta      float64
	road, dm float64 // road time (before the unit's factor) and metres
	via      int32   // node it enters the graph at; -1: same segment, -2: straight
}

// search ranks targets by their drive to dst: Dijkstra from dst over the
// reverse graph, stopped once k targets are known and no unsettled node
// could give a better one. Targets off the road are ranked by the
// straight line; so are those the search could not reach, when it ran out
// of graph before finding k. complete reports that no target was missed.
func (r *Router) search(to geo.Point, dst roads.Snap, at time.Time, k int, ts []target, attached map[int32][]int32,
	accept func(t int32) (typ string, ok bool), withRoute bool) (out []Result, complete bool) {
	g := r.g
	s := r.pool.Get().(*search)
	defer r.pool.Put(s)
	s.reset(len(ts))
	w := r.weights(at)
	access := r.opt.AccessKMH / 3.6
	edgeTime := func(e int32) float64 {
		_, _, _, t, c := g.Edge(e)
		return t * w[c]
	}
	edgeLen := func(e int32) float64 {
		_, _, l, _, _ := g.Edge(e)
		return l
	}
	var top []cand
	offer := func(c cand) {
		for i := range top {
			if top[i].t == c.t {
				if c.eta >= top[i].eta {
					return
				}
				top = append(top[:i], top[i+1:]...)
				break
			}
		}
		if len(top) == k && c.eta >= top[k-1].eta {
			return
		}
		i := sort.Search(len(top), func(i int) bool { return top[i].eta > c.eta })
		top = append(top, cand{})
		copy(top[i+1:], top[i:])
		top[i] = c
		if len(top) > k {
			top = top[:k]
		}
	}
	// straight offers a target by the straight line, unless a cheap
	// lower bound already loses to the k-th best: no straight ETA is
	// shorter than the detoured distance at the fastest speed (Kolesar's
	// curve only adds to it), and the flat distance is within 1 % of the
	// great circle in a city.
	coslat := math.Cos(to.Lat * math.Pi / 180)
	beaten := func(p geo.Point) bool {
		if len(top) < k {
			return false
		}
		dx, dy := (p.Lon-to.Lon)*coslat*111_320, (p.Lat-to.Lat)*111_320
		reach := top[k-1].eta * r.vmax / r.detour / 0.99
		return dx*dx+dy*dy >= reach*reach
	}
	straight := func(t int32) {
		if beaten(ts[t].pos) {
			return
		}
		typ, ok := accept(t)
		if !ok {
			return
		}
		eta, d := r.opt.Straight.ETA(ts[t].pos, to, typ)
		offer(cand{t: t, eta: eta, dm: d, via: -2})
	}
	finish := func(t int32, road, dm float64, via int32) {
		typ, ok := accept(t)
		if !ok {
			return
		}
		s.seen[t] = s.gen
		u := ts[t].snap
		eta := road/r.emergency(typ) + (u.AccessM+dst.AccessM)/access
		offer(cand{t: t, eta: eta, road: road, dm: dm + u.AccessM + dst.AccessM, via: via})
	}
	// a target on the destination's own segment, ahead of it
	for _, n := range []int32{dst.A, dst.B} {
		for _, t := range attached[n] {
			u := ts[t].snap
			if u.Seg != dst.Seg {
				continue
			}
			if u.Fwd >= 0 && u.T <= dst.T {
				finish(t, (dst.T-u.T)*edgeTime(u.Fwd), (dst.T-u.T)*edgeLen(u.Fwd), -1)
			}
			if u.Back >= 0 && u.T >= dst.T {
				finish(t, (u.T-dst.T)*edgeTime(u.Back), (u.T-dst.T)*edgeLen(u.Back), -1)
			}
		}
	}
	for _, sd := range seeds(dst) {
		if sd.edge < 0 {
			s.relax(sd.node, 0, 0, -1)
		} else {
			s.relax(sd.node, sd.frac*edgeTime(sd.edge), sd.frac*edgeLen(sd.edge), -1)
		}
	}
	exhausted := true
	for len(s.heap) > 0 {
		it := s.pop()
		n := it.n
		if s.done[n] == s.gen || it.d > s.dist[n] {
			continue
		}
		if len(top) == k && top[k-1].eta <= it.d/r.emMax+dst.AccessM/access {
			exhausted = false
			break
		}
		s.done[n] = s.gen
		d, dm := s.dist[n], s.distM[n]
		for _, t := range attached[n] {
			for _, en := range entries(ts[t].snap) {
				if en.node != n {
					continue
				}
				if en.edge < 0 {
					finish(t, d, dm, n)
				} else {
					finish(t, d+en.frac*edgeTime(en.edge), dm+en.frac*edgeLen(en.edge), n)
				}
			}
		}
		for _, e := range g.In(n) {
			from, _, l, _, _ := g.Edge(e)
			if s.done[from] != s.gen {
				s.relax(from, d+edgeTime(e), dm+l, e)
			}
		}
	}
	// targets off the road, by the straight line: after the search, so
	// that most lose to the k-th best on a cheap bound
	for t := range ts {
		if ts[t].live && !ts[t].onRoad {
			straight(int32(t))
		}
	}
	complete = !exhausted || len(top) == k
	if exhausted && len(top) < k { // the rest cannot reach dst by road
		for t := range ts {
			if ts[t].live && ts[t].onRoad && s.seen[t] != s.gen {
				straight(int32(t))
			}
		}
	}
	out = make([]Result, len(top))
	for i, c := range top {
		res := Result{ID: ts[c.t].id, ETAS: c.eta, DistanceM: c.dm, Method: Road}
		if c.via == -2 {
			res.Method = Straight
		}
		if withRoute {
			res.Geometry = r.geometry(s, ts[c.t], to, dst, c.via)
		}
		out[i] = res
	}
	return out, complete
}

// geometry walks the parent edges from where the target entered the graph
// to the destination.
func (r *Router) geometry(s *search, t target, to geo.Point, dst roads.Snap, via int32) [][2]float64 {
	var line [][2]float64
	add := func(lon, lat float64) {
		if n := len(line); n > 0 && line[n-1] == [2]float64{lon, lat} {
			return
		}
		line = append(line, [2]float64{lon, lat})
	}
	if via == -2 {
		add(t.pos.Lon, t.pos.Lat)
		add(to.Lon, to.Lat)
		return line
	}
	add(t.snap.Point.Lon, t.snap.Point.Lat)
	for n := via; n >= 0; {
		p := r.g.Point(n)
		add(p.Lon, p.Lat)
		e := s.parent[n]
		if e < 0 {
			break
		}
		_, n, _, _, _ = r.g.Edge(e)
	}
	add(dst.Point.Lon, dst.Point.Lat)
	return line
}
