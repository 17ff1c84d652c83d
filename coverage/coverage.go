// Package coverage measures how well the idle units cover the city and
// which relocation would cover it better: the expected-coverage model of
// MEXCLP (Daskin 1983) as dynamic MEXCLP dispatching and redeployment use
// it (Jagtenberg, Bhulai and van der Mei 2015, 2017). The simulator's
// coverage policy and the console's move-up advice share it.
package coverage

import (
	"math"
	"sort"

	"cc112"
	"cc112/geo"
)

// DemandPoint is where calls come from, with its share of them: a
// kecamatan's centroid and weight.
type DemandPoint struct {
	Name   string
	At     geo.Point
	Weight float64
}

// Coverage is the expected-coverage measure of MEXCLP (Daskin 1983) as
// dynamic MEXCLP uses it: a unit covers a demand point it can reach within
// the travel budget; a point covered k times is served in time with
// probability 1 − q^k, q the chance that a unit is busy. The value of an
// idle fleet is the demand-weighted sum of those probabilities.
type Coverage struct {
	Points []DemandPoint
	// ETA is the travel-time model coverage is judged with: the straight
	// line × detour (cheap enough for every decision; the ranking itself
	// uses the road network when one is loaded).
	ETA geo.ETAModel
	// BudgetS is the travel a covering unit may need: the target less the
	// expected call processing and turnout.
	BudgetS float64
	// Busy is q, the share of time a unit is busy (0 < q < 1).
	Busy float64

	memo map[coverKey][]bool // units wait at few places: stations, posts
}

type coverKey struct {
	typ cc112.UnitType
	at  geo.Point
}

// IdleUnit is an available unit and where it is (or the post it drives to).
type IdleUnit struct {
	ID   string
	Type cc112.UnitType
	At   geo.Point
}

// covered marks the demand points a unit of typ at p covers (the answer
// is shared: callers must not change it).
func (c *Coverage) covered(typ cc112.UnitType, p geo.Point) []bool {
	if out, ok := c.memo[coverKey{typ, p}]; ok {
		return out
	}
	out := make([]bool, len(c.Points))
	for i, d := range c.Points {
		eta, _ := c.ETA.ETA(p, d.At, string(typ))
		out[i] = eta <= c.BudgetS
	}
	if c.memo == nil || len(c.memo) > 1<<16 {
		c.memo = map[coverKey][]bool{}
	}
	c.memo[coverKey{typ, p}] = out
	return out
}

// counts is how many idle units of typ cover each demand point.
func (c *Coverage) counts(typ cc112.UnitType, idle []IdleUnit) []int {
	k := make([]int, len(c.Points))
	for _, u := range idle {
		if u.Type != typ {
			continue
		}
		for i, ok := range c.covered(typ, u.At) {
			if ok {
				k[i]++
			}
		}
	}
	return k
}

func (c *Coverage) value(k []int) float64 {
	q := min(max(c.Busy, 0.01), 0.99)
	v := 0.0
	for i, d := range c.Points {
		v += d.Weight * (1 - math.Pow(q, float64(k[i])))
	}
	return v
}

// Value is the expected coverage the idle units of typ give.
func (c *Coverage) Value(typ cc112.UnitType, idle []IdleUnit) float64 {
	return c.value(c.counts(typ, idle))
}

// Uncovered names the demand points no idle unit of typ covers.
func (c *Coverage) Uncovered(typ cc112.UnitType, idle []IdleUnit) []string {
	var out []string
	for i, k := range c.counts(typ, idle) {
		if k == 0 {
			out = append(out, c.Points[i].Name)
		}
	}
	return out
}

// Post is a place an idle unit may wait at: a station.
type Post struct {
	ID, Name string
	At       geo.Point
}

// MoveUp is a relocation that raises the expected coverage: the unit, the
// post it should wait at, the gain, and the demand points it covers there
// that no idle unit covers now.
type MoveUp struct {
	UnitID string   `json:"unit_id"`
	PostID string   `json:"post_id"`
	Post   string   `json:"post"`
	Gain   float64  `json:"gain"`
	Covers []string `json:"covers"`
}

// MoveUps are the best relocation of each idle unit of typ to one of the
// posts, best first, keeping only those that cover a point now uncovered
// (a move for a sliver of coverage is not worth a crew's drive).
func (c *Coverage) MoveUps(typ cc112.UnitType, idle []IdleUnit, posts []Post) []MoveUp {
	k := c.counts(typ, idle)
	base := c.value(k)
	var out []MoveUp
	for _, u := range idle {
		if u.Type != typ {
			continue
		}
		from := c.covered(typ, u.At)
		var best *MoveUp
		for _, p := range posts {
			to := c.covered(typ, p.At)
			next := make([]int, len(k))
			var covers []string
			for i := range k {
				next[i] = k[i]
				if from[i] {
					next[i]--
				}
				if to[i] {
					next[i]++
					if k[i] == 0 {
						covers = append(covers, c.Points[i].Name)
					}
				}
			}
			gain := c.value(next) - base
			if len(covers) == 0 || gain <= 1e-9 {
				continue
			}
			if best == nil || gain > best.Gain+1e-12 {
				best = &MoveUp{UnitID: u.ID, PostID: p.ID, Post: p.Name, Gain: gain, Covers: covers}
			}
		}
		if best != nil {
			out = append(out, *best)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Gain > out[j].Gain })
	return out
}
