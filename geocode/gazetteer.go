package geocode

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"

	"cc112/geo"
)

// Gazetteer is the city's fixed names (areas, streets, stations, points of
// interest) plus names that change while the server runs (cameras are
// registered by admins): With rebuilds the index only when those change.
type Gazetteer struct {
	static []Place
	loc    Locator

	mu  sync.Mutex
	key uint64
	ix  *Index
}

// NewGazetteer keeps static places and the locator for every index it builds.
func NewGazetteer(static []Place, loc Locator) *Gazetteer {
	return &Gazetteer{static: static, loc: loc}
}

// Locate names the kecamatan and kelurahan of p ("" for unknown).
func (g *Gazetteer) Locate(p geo.Point) (district, kelurahan string) {
	if g.loc == nil {
		return "", ""
	}
	return g.loc.Locate(p)
}

// Hospitals lists the points of interest that take patients, by name.
func (g *Gazetteer) Hospitals() []Place {
	var out []Place
	for _, p := range g.static {
		if p.Hospital {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Place) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Of lists the fixed places of one kind (the kelurahan, for the map's
// offline labels), by name.
func (g *Gazetteer) Of(kind Kind) []Place {
	var out []Place
	for _, p := range g.static {
		if p.Kind == kind {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Place) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// With returns the index of the static places and extra.
func (g *Gazetteer) With(extra []Place) *Index {
	h := fnv.New64a()
	var b [8]byte
	for _, p := range extra {
		h.Write([]byte(p.Name))
		h.Write([]byte{0})
		h.Write([]byte(p.Kind))
		h.Write([]byte{0})
		h.Write([]byte(p.District))
		h.Write([]byte{0})
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(p.Location.Lat))
		h.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(p.Location.Lon))
		h.Write(b[:])
	}
	key := h.Sum64()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ix == nil || key != g.key {
		all := make([]Place, 0, len(g.static)+len(extra))
		g.ix, g.key = New(append(append(all, g.static...), extra...), g.loc), key
	}
	return g.ix
}
