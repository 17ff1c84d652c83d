// Package geocode finds places by name for the call-taker: the city's
// kecamatan and kelurahan, its streets, stations, cameras and points of
// interest. Matching folds case, punctuation and "Jl."/"Jln."/"Jalan",
// tolerates typos and matches prefixes while typing. It is a leaf: no HTTP,
// no engine; dispatchd builds the index from the city's files.
package geocode

import (
	"cmp"
	"slices"
	"strings"

	"cc112/geo"
)

// Kind is what a place is.
type Kind string

// Kinds, in the order that breaks ties: official areas before streets,
// streets before the things that stand on them.
const (
	Kecamatan Kind = "kecamatan"
	Kelurahan Kind = "kelurahan"
	Street    Kind = "street"
	Station   Kind = "station"
	POI       Kind = "poi"
	Camera    Kind = "camera"
	// Coordinates is a location typed as "lat, lon", not searched.
	Coordinates Kind = "coordinates"
)

var kindRank = map[Kind]int{Kecamatan: 0, Kelurahan: 1, Street: 2, Station: 3, POI: 4, Camera: 5}

// Place is one searchable name and where it is. District is the
// kecamatan, Kelurahan the village ("" when the city has no kelurahan
// polygons, as in the built-in demo city).
type Place struct {
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	Location  geo.Point `json:"location"`
	District  string    `json:"district"`
	Kelurahan string    `json:"kelurahan"`
	// OutOfArea marks typed coordinates beyond the city's service area:
	// an incident there must be confirmed with a reason.
	OutOfArea bool `json:"out_of_area,omitempty"`
	// Hospital marks a point of interest that takes patients (where a
	// transporting ambulance may go).
	Hospital bool `json:"-"`
}

// Locator names the kecamatan and kelurahan of a point ("" for unknown).
type Locator interface {
	Locate(p geo.Point) (district, kelurahan string)
}

// MaxQuery is the longest query, in characters.
const MaxQuery = 100

// Index answers searches. It is read-only after New and safe for
// concurrent use.
type Index struct {
	places []Place
	// words are the distinct words of all names; names[i] lists the words
	// of places[i] and cores[i] those of its core (without "jalan").
	words []word
	names [][]int
	cores [][]int
}

type word struct {
	s string
	r []rune
}

// New indexes places. Places without a district or kelurahan get them from
// loc (when not nil); places with an invalid location or an empty name are
// skipped, and a name of the same kind at the same place is kept once.
func New(places []Place, loc Locator) *Index {
	ix := &Index{}
	ids := map[string]int{}
	type key struct {
		name string
		kind Kind
		at   geo.Point
	}
	seen := map[key]bool{}
	for _, p := range places {
		p.Name = strings.TrimSpace(p.Name)
		if p.Name == "" || !p.Location.Valid() {
			continue
		}
		k := key{strings.ToLower(p.Name), p.Kind, p.Location}
		if seen[k] {
			continue
		}
		seen[k] = true
		ts := tokens(p.Name)
		if len(ts) == 0 {
			continue
		}
		if loc != nil && (p.District == "" || p.Kelurahan == "") {
			d, kel := loc.Locate(p.Location)
			if p.District == "" {
				p.District = d
			}
			if p.Kelurahan == "" && p.Kind != Kecamatan {
				p.Kelurahan = kel
			}
		}
		wid := make([]int, len(ts))
		for i, t := range ts {
			id, ok := ids[t]
			if !ok {
				id = len(ix.words)
				ids[t] = id
				ix.words = append(ix.words, word{t, []rune(t)})
			}
			wid[i] = id
		}
		ix.places = append(ix.places, p)
		ix.names = append(ix.names, wid)
		ix.cores = append(ix.cores, wid[len(wid)-len(core(ts)):])
	}
	return ix
}

// Len returns the number of places indexed.
func (ix *Index) Len() int { return len(ix.places) }

// Match tiers, best last.
const (
	noMatch = iota
	fuzzy
	prefix
	exactWord
	exactName
)

// Search returns up to limit places for q, best first: the whole name
// exactly (without its "Jalan"), then every word exact, then words typed
// partly, then with typos; among equals shorter names, then official areas
// before streets and things, then by name.
func (ix *Index) Search(q string, limit int) []Place {
	qt := core(tokens(q))
	if len(qt) == 0 || limit <= 0 {
		return nil
	}
	// tier[k][w]: how query word k matches dictionary word w.
	tier := make([][]uint8, len(qt))
	for k, t := range qt {
		tier[k] = ix.matchWords(t, k == len(qt)-1)
	}
	type hit struct {
		i, tier, extra int
	}
	var hits []hit
	for i, name := range ix.names {
		best := exactWord
		for k := range qt {
			b := noMatch
			for _, w := range name {
				b = max(b, int(tier[k][w]))
			}
			best = min(best, b)
			if best == noMatch {
				break
			}
		}
		if best == noMatch {
			continue
		}
		c := ix.cores[i]
		if best == exactWord && sameWords(ix.words, c, qt) {
			best = exactName
		}
		hits = append(hits, hit{i, best, len(c) - len(qt)})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		pa, pb := ix.places[a.i], ix.places[b.i]
		return cmp.Or(
			cmp.Compare(b.tier, a.tier),
			cmp.Compare(max(a.extra, 0), max(b.extra, 0)),
			cmp.Compare(kindRank[pa.Kind], kindRank[pb.Kind]),
			cmp.Compare(len(pa.Name), len(pb.Name)),
			strings.Compare(pa.Name, pb.Name),
		)
	})
	out := make([]Place, 0, min(limit, len(hits)))
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, ix.places[h.i])
	}
	return out
}

// matchWords rates query word t against every dictionary word. The last
// query word is the one being typed: it may also match the start of a word
// with a typo in it.
func (ix *Index) matchWords(t string, typing bool) []uint8 {
	tr := []rune(t)
	budget := typoBudget(len(tr))
	out := make([]uint8, len(ix.words))
	for i, w := range ix.words {
		switch {
		case w.s == t:
			out[i] = exactWord
		case strings.HasPrefix(w.s, t):
			out[i] = prefix
		case budget > 0 && editDistance(tr, w.r, budget) <= budget:
			out[i] = fuzzy
		case typing && budget > 0 && len(w.r) > len(tr) && editDistance(tr, w.r[:len(tr)], 1) <= 1:
			out[i] = fuzzy
		}
	}
	return out
}

func sameWords(words []word, ids []int, qt []string) bool {
	if len(ids) != len(qt) {
		return false
	}
	for i, id := range ids {
		if words[id].s != qt[i] {
			return false
		}
	}
	return true
}
