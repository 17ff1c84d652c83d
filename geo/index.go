package geo

import (
	"math"
	"sort"
)

// DefaultCellM is the default grid cell size in metres. BenchmarkIndexCell
// (10,000 units of five types over Surabaya, "the 5 fire units with the
// best ETA") measured a mean of 10.1 µs with 250 m cells, 7.7 µs with 500 m,
// 8.7 µs with 1 km and 15.2 µs with 2 km: small cells mean more empty cells
// to pass over, big ones more units to score.
const DefaultCellM = 500

// sparseRatio: below one occupied cell in sparseRatio of the occupied
// bounding box, Best queues occupied cells rather than walking the grid.
const sparseRatio = 4

// metresPerDegree is the length of one degree of latitude on the mean sphere.
const metresPerDegree = EarthRadius * math.Pi / 180

// Scored is one result of Index.Best.
type Scored struct {
	ID        string  `json:"id"`
	DistanceM float64 `json:"distance_m"`
	Score     float64 `json:"score"`
}

// Index is a uniform lat/lon grid of moving points (units, cameras) for
// nearest-neighbour and best-score searches. Cells are square in degrees;
// at Surabaya's 7°S a 500 m cell is 500 × 496 m.
//
// The zero Index is empty and uses DefaultCellM. An Index is not safe for
// concurrent use: the dispatch engine, its single writer, serialises every
// call.
type Index struct {
	cellDeg float64
	points  map[string]*indexEntry
	cells   map[cellKey]*indexCell

	// Bounding box of the occupied cells; boundsDirty after a cell empties.
	minX, maxX, minY, maxY int32
	boundsDirty            bool

	// Scratch space reused between searches.
	queue  cellQueue
	result scoredHeap
}

type cellKey struct{ x, y int32 }

type indexEntry struct {
	id   string
	p    Point
	cell cellKey
	pos  int // position in cell.entries
}

type indexCell struct{ entries []*indexEntry }

// NewIndex returns an empty index with cells of about cellM metres
// (DefaultCellM when cellM ≤ 0).
func NewIndex(cellM float64) *Index {
	if cellM <= 0 || math.IsNaN(cellM) {
		cellM = DefaultCellM
	}
	return &Index{
		cellDeg: cellM / metresPerDegree,
		points:  make(map[string]*indexEntry),
		cells:   make(map[cellKey]*indexCell),
	}
}

// Len returns the number of points.
func (ix *Index) Len() int { return len(ix.points) }

// Point returns the stored position of id.
func (ix *Index) Point(id string) (Point, bool) {
	e, ok := ix.points[id]
	if !ok {
		return Point{}, false
	}
	return e.p, true
}

func (ix *Index) key(p Point) cellKey {
	return cellKey{clampCell(p.Lon / ix.cellDeg), clampCell(p.Lat / ix.cellDeg)}
}

func clampCell(v float64) int32 {
	f := math.Floor(v)
	switch {
	case f != f: // NaN
		return 0
	case f < math.MinInt32/2:
		return math.MinInt32 / 2
	case f > math.MaxInt32/2:
		return math.MaxInt32 / 2
	}
	return int32(f)
}

// Set inserts id at p or moves it there.
func (ix *Index) Set(id string, p Point) {
	if ix.points == nil { // the zero Index: default cells
		*ix = *NewIndex(0)
	}
	k := ix.key(p)
	if e, ok := ix.points[id]; ok {
		e.p = p
		if e.cell == k {
			return
		}
		ix.unlink(e)
		e.cell = k
		ix.link(e)
		return
	}
	e := &indexEntry{id: id, p: p, cell: k}
	ix.points[id] = e
	ix.link(e)
}

// Remove deletes id; removing an unknown id does nothing.
func (ix *Index) Remove(id string) {
	e, ok := ix.points[id]
	if !ok {
		return
	}
	ix.unlink(e)
	delete(ix.points, id)
}

func (ix *Index) link(e *indexEntry) {
	c, ok := ix.cells[e.cell]
	if !ok {
		c = &indexCell{}
		ix.cells[e.cell] = c
		if len(ix.cells) == 1 {
			ix.minX, ix.maxX, ix.minY, ix.maxY = e.cell.x, e.cell.x, e.cell.y, e.cell.y
			ix.boundsDirty = false
		} else if !ix.boundsDirty {
			ix.minX = min(ix.minX, e.cell.x)
			ix.maxX = max(ix.maxX, e.cell.x)
			ix.minY = min(ix.minY, e.cell.y)
			ix.maxY = max(ix.maxY, e.cell.y)
		}
	}
	e.pos = len(c.entries)
	c.entries = append(c.entries, e)
}

func (ix *Index) unlink(e *indexEntry) {
	c := ix.cells[e.cell]
	last := len(c.entries) - 1
	moved := c.entries[last]
	c.entries[e.pos] = moved
	moved.pos = e.pos
	c.entries[last] = nil
	c.entries = c.entries[:last]
	if len(c.entries) == 0 {
		delete(ix.cells, e.cell)
		ix.boundsDirty = true
	}
}

func (ix *Index) fixBounds() {
	if !ix.boundsDirty {
		return
	}
	first := true
	for k := range ix.cells {
		if first {
			ix.minX, ix.maxX, ix.minY, ix.maxY = k.x, k.x, k.y, k.y
			first = false
			continue
		}
		ix.minX = min(ix.minX, k.x)
		ix.maxX = max(ix.maxX, k.x)
		ix.minY = min(ix.minY, k.y)
		ix.maxY = max(ix.maxY, k.y)
	}
	ix.boundsDirty = false
}

// Nearest returns the k points nearest to p (ties by id) that filter
// accepts; a nil filter accepts all. Score equals DistanceM.
func (ix *Index) Nearest(p Point, k int, filter func(id string) bool) []Scored {
	return ix.Best(p, k, func(id string, d float64) (float64, bool) {
		if filter != nil && !filter(id) {
			return 0, false
		}
		return d, true
	}, func(d float64) float64 { return d })
}

// Best returns the k points with the lowest score, best first, ties broken
// by id. score gets each candidate's great-circle distance from p in metres
// and may reject it (ok false). lowerBound(d) must not exceed the score of
// any point at distance ≥ d and must not decrease with d (for example
// ETAModel.MinETA); a nil lowerBound disables pruning and scores every point.
// score must not modify the index.
//
// Cells are visited in order of increasing minimum distance from p and the
// search stops once lowerBound of the next cell's minimum distance exceeds
// the k-th best score so far. The comparison is strict so that a point tied
// with the k-th best in a later cell can still win on its id: the result is
// exactly that of scoring every point.
func (ix *Index) Best(p Point, k int, score func(id string, distM float64) (s float64, ok bool), lowerBound func(distM float64) float64) []Scored {
	if k <= 0 || len(ix.points) == 0 {
		return nil
	}
	ix.fixBounds()
	res := &ix.result
	*res = (*res)[:0]

	// Lower-bound metric: lat/lon offsets are scaled by the smallest cosine
	// of latitude in play and shrunk by 0.5%, so the grid distance never
	// exceeds the great-circle one at city scale (up to a few hundred km).
	maxLat := math.Max(math.Abs(p.Lat), math.Max(
		math.Abs(float64(ix.minY)*ix.cellDeg), math.Abs(float64(ix.maxY+1)*ix.cellDeg)))
	s := searchGeom{
		p:       p,
		cellDeg: ix.cellDeg,
		ky:      0.995 * metresPerDegree,
		kx:      0.995 * metresPerDegree * math.Cos(math.Min(90, maxLat+0.5)*math.Pi/180),
		center:  ix.key(p),
		ix:      ix,
	}
	q := &ix.queue
	*q = (*q)[:0]
	// A sparse grid (few points over a wide area) would make the walk cross
	// many empty cells: then queue the occupied cells themselves instead.
	bboxCells := (int64(ix.maxX-ix.minX) + 1) * (int64(ix.maxY-ix.minY) + 1)
	sparse := int64(len(ix.cells))*sparseRatio < bboxCells
	if sparse {
		for key := range ix.cells {
			*q = append(*q, cellItem{dx: key.x - s.center.x, dy: key.y - s.center.y, minD: s.minDist(key)})
		}
		q.init()
	} else {
		q.push(cellItem{minD: s.minDist(s.center)})
	}
	for len(*q) > 0 {
		it := q.pop()
		if len(*res) == k && lowerBound != nil && lowerBound(it.minD) > (*res)[0].Score {
			break
		}
		key := cellKey{s.center.x + it.dx, s.center.y + it.dy}
		if c, ok := ix.cells[key]; ok {
			for _, e := range c.entries {
				d := Haversine(p, e.p)
				sc, ok := score(e.id, d)
				if !ok || sc != sc { // rejected or NaN
					continue
				}
				cand := Scored{ID: e.id, DistanceM: d, Score: sc}
				if len(*res) < k {
					res.push(cand)
				} else if worse((*res)[0], cand) {
					res.replaceTop(cand)
				}
			}
		}
		if !sparse {
			s.pushChildren(q, it)
		}
	}
	out := make([]Scored, len(*res))
	copy(out, *res)
	sort.Slice(out, func(i, j int) bool { return worse(out[j], out[i]) })
	return out
}

// worse reports whether a ranks after b.
func worse(a, b Scored) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID > b.ID
}

type searchGeom struct {
	p       Point
	cellDeg float64
	kx, ky  float64
	center  cellKey
	ix      *Index
}

// minDist is a lower bound of the distance in metres from p to any point of
// cell c.
func (s *searchGeom) minDist(c cellKey) float64 {
	gx := gap(s.p.Lon, float64(c.x)*s.cellDeg, float64(c.x+1)*s.cellDeg) * s.kx
	gy := gap(s.p.Lat, float64(c.y)*s.cellDeg, float64(c.y+1)*s.cellDeg) * s.ky
	return math.Sqrt(gx*gx + gy*gy)
}

func gap(v, lo, hi float64) float64 {
	switch {
	case v < lo:
		return lo - v
	case v > hi:
		return v - hi
	}
	return 0
}

// pushChildren expands the search tree over the grid. Every cell (dx, dy)
// relative to the centre has exactly one parent: one step towards the
// centre along y, or along x when dy = 0. A child is never nearer than its
// parent, so popping by minimum distance visits cells in increasing order
// without a visited set. Subtrees that only lead away from the occupied
// bounding box are cut.
func (s *searchGeom) pushChildren(q *cellQueue, it cellItem) {
	ix := s.ix
	x := s.center.x + it.dx
	xIn := x >= ix.minX && x <= ix.maxX
	push := func(dx, dy int32) {
		q.push(cellItem{dx: dx, dy: dy, minD: s.minDist(cellKey{s.center.x + dx, s.center.y + dy})})
	}
	if it.dy != 0 {
		// Continue along y, away from the centre.
		step := sign(it.dy)
		y := s.center.y + it.dy + step
		if xIn && !(step > 0 && y > ix.maxY) && !(step < 0 && y < ix.minY) {
			push(it.dx, it.dy+step)
		}
		return
	}
	// On the x axis: branch up and down, and continue along x.
	if xIn {
		if s.center.y+1 <= ix.maxY {
			push(it.dx, 1)
		}
		if s.center.y-1 >= ix.minY {
			push(it.dx, -1)
		}
	}
	if it.dx >= 0 && x+1 <= ix.maxX {
		push(it.dx+1, 0)
	}
	if it.dx <= 0 && x-1 >= ix.minX {
		push(it.dx-1, 0)
	}
}

func sign(v int32) int32 {
	if v < 0 {
		return -1
	}
	return 1
}

type cellItem struct {
	dx, dy int32
	minD   float64
}

// cellQueue is a binary min-heap by minD; typed rather than container/heap
// so that pushing does not allocate.
type cellQueue []cellItem

func (q *cellQueue) push(it cellItem) {
	h := append(*q, it)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].minD <= h[i].minD {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
	*q = h
}

func (q *cellQueue) pop() cellItem {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	*q = h[:last]
	q.down(0)
	return top
}

// init orders an unordered queue.
func (q *cellQueue) init() {
	for i := len(*q)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

func (q *cellQueue) down(i int) {
	h := *q
	for {
		l, small := 2*i+1, i
		if l < len(h) && h[l].minD < h[small].minD {
			small = l
		}
		if r := l + 1; r < len(h) && h[r].minD < h[small].minD {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
}

// scoredHeap keeps the k best found so far with the worst at the top.
type scoredHeap []Scored

func (h *scoredHeap) push(s Scored) {
	a := append(*h, s)
	i := len(a) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !worse(a[i], a[parent]) {
			break
		}
		a[parent], a[i] = a[i], a[parent]
		i = parent
	}
	*h = a
}

// replaceTop puts s in place of the worst and restores the heap.
func (h *scoredHeap) replaceTop(s Scored) {
	a := *h
	a[0] = s
	for i := 0; ; {
		l, w := 2*i+1, i
		if l < len(a) && worse(a[l], a[w]) {
			w = l
		}
		if r := l + 1; r < len(a) && worse(a[r], a[w]) {
			w = r
		}
		if w == i {
			break
		}
		a[i], a[w] = a[w], a[i]
		i = w
	}
}
