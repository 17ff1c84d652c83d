package route

import (
	"slices"
	"time"

	"cc112/geo"
)

// Fleet keeps units snapped to the road as they move, so that a ranking
// query does not snap them again: Set on every position, Remove when a
// unit goes. Not safe for concurrent writes: the engine calls Set and
// Remove under its write lock and Nearest under its read lock.
type Fleet struct {
	r        *Router
	ids      map[string]int32
	ts       []target
	free     []int32
	attached map[int32][]int32 // node → targets that enter the graph there
}

// NewFleet starts an empty fleet on r.
func (r *Router) NewFleet() *Fleet {
	return &Fleet{r: r, ids: map[string]int32{}, attached: map[int32][]int32{}}
}

// Set places (or moves) unit id at p.
func (f *Fleet) Set(id string, p geo.Point) {
	t, ok := f.ids[id]
	if ok {
		if f.ts[t].pos == p {
			return
		}
		f.detach(t)
	} else if n := len(f.free); n > 0 {
		t, f.free = f.free[n-1], f.free[:n-1]
		f.ids[id] = t
	} else {
		t = int32(len(f.ts))
		f.ts = append(f.ts, target{})
		f.ids[id] = t
	}
	snap, onRoad := f.r.Snap(p)
	f.ts[t] = target{id: id, pos: p, snap: snap, onRoad: onRoad, live: true}
	if onRoad {
		for _, en := range entries(snap) {
			f.attached[en.node] = append(f.attached[en.node], t)
		}
	}
}

// Remove forgets unit id.
func (f *Fleet) Remove(id string) {
	t, ok := f.ids[id]
	if !ok {
		return
	}
	f.detach(t)
	f.ts[t] = target{}
	delete(f.ids, id)
	f.free = append(f.free, t)
}

func (f *Fleet) detach(t int32) {
	if !f.ts[t].onRoad {
		return
	}
	for _, en := range entries(f.ts[t].snap) {
		list := f.attached[en.node]
		if i := slices.Index(list, t); i >= 0 {
			list = slices.Delete(list, i, i+1)
		}
		if len(list) == 0 {
			delete(f.attached, en.node)
		} else {
			f.attached[en.node] = list
		}
	}
}

// Nearest ranks the k units accept takes (it returns the unit's type) by
// their drive to p at time at; withRoute adds each route's geometry. ok
// is false when p itself is too far from any road: the caller ranks by
// the straight line.
func (f *Fleet) Nearest(p geo.Point, at time.Time, k int, accept func(id string) (typ string, ok bool), withRoute bool) (out []Result, ok bool) {
	dst, ok := f.r.Snap(p)
	if !ok {
		return nil, false
	}
	out, _ = f.r.search(p, dst, at, k, f.ts, f.attached, func(t int32) (string, bool) { return accept(f.ts[t].id) }, withRoute)
	return out, true
}
