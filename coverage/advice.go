package coverage

import (
	"slices"
	"sync"

	"cc112"
	"cc112/geo"
)

// Advisor gives dispatchers the coverage policy's move-ups live: which
// free unit to send to which station so that a kecamatan no free unit of
// its type reaches in time is covered again. Safe for concurrent use.
type Advisor struct {
	mu    sync.Mutex
	cov   *Coverage
	posts []Post
	// agency of each post: a unit waits at its own agency's stations
	// unless AnyPost.
	agency map[string]string
	// AnyPost lets a unit wait at any station of the city (an ambulance
	// at a fire post): the policy that covered best in the simulation
	// study (docs/simulation.md). Set it before the first call.
	AnyPost bool
}

// Advice is one suggested move-up.
type Advice struct {
	UnitID   string         `json:"unit_id"`
	Callsign string         `json:"callsign"`
	Type     cc112.UnitType `json:"type"`
	Post     cc112.UnitPost `json:"post"`
	Gain     float64        `json:"gain"`
}

// NewAdvisor judges coverage of the kecamatan centroids (equal weights)
// with the straight-line model, a unit covering what it reaches within
// budgetS of driving; the posts are the city's stations.
func NewAdvisor(d *geo.Districts, stations []cc112.Station, eta geo.ETAModel, budgetS float64) *Advisor {
	a := &Advisor{cov: &Coverage{ETA: eta, BudgetS: budgetS, Busy: 0.3}, agency: map[string]string{}}
	all := d.All()
	for _, k := range all {
		a.cov.Points = append(a.cov.Points, DemandPoint{Name: k.Name, At: k.Centroid, Weight: 1 / float64(len(all))})
	}
	for _, s := range stations {
		a.posts = append(a.posts, Post{ID: s.ID, Name: s.Name, At: s.Location})
		a.agency[s.ID] = s.Agency
	}
	return a
}

// postsOf are the stations a unit of an agency may wait at.
func (a *Advisor) postsOf(agency string) []Post {
	var out []Post
	for _, p := range a.posts {
		if a.AnyPost || a.agency[p.ID] == agency {
			out = append(out, p)
		}
	}
	return out
}

// idle are the free units, each at its post when it was sent to one.
func idle(units []cc112.Unit) []IdleUnit {
	var out []IdleUnit
	for _, u := range units {
		if u.Status != cc112.UnitAvailable {
			continue
		}
		at := u.Location
		if u.Post != nil {
			at = u.Post.Location
		}
		out = append(out, IdleUnit{ID: u.ID, Type: u.Type, At: at})
	}
	return out
}

// Advise lists the move-ups for the units as they are now, best first
// within each unit type, at most one per unit.
func (a *Advisor) Advise(units []cc112.Unit) []Advice {
	a.mu.Lock()
	defer a.mu.Unlock()
	free := idle(units)
	byID := map[string]cc112.Unit{}
	for _, u := range units {
		byID[u.ID] = u
	}
	agencies := map[cc112.UnitType][]string{}
	for _, u := range units {
		if !slices.Contains(agencies[u.Type], u.Agency) {
			agencies[u.Type] = append(agencies[u.Type], u.Agency)
		}
	}
	out := []Advice{}
	for _, t := range cc112.UnitTypes {
		var moves []MoveUp
		for _, ag := range agencies[t] {
			// Only the agency's own units move to its own stations.
			own := slices.DeleteFunc(slices.Clone(free), func(f IdleUnit) bool { return f.Type == t && byID[f.ID].Agency != ag })
			for _, m := range a.cov.MoveUps(t, own, a.postsOf(ag)) {
				if byID[m.UnitID].Agency == ag {
					moves = append(moves, m)
				}
			}
		}
		slices.SortStableFunc(moves, func(x, y MoveUp) int {
			switch {
			case x.Gain > y.Gain:
				return -1
			case x.Gain < y.Gain:
				return 1
			}
			return 0
		})
		for _, m := range moves {
			u := byID[m.UnitID]
			out = append(out, Advice{UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Gain: m.Gain,
				Post: cc112.UnitPost{ID: m.PostID, Name: m.Post, Location: a.postAt(m.PostID), Covers: m.Covers}})
		}
	}
	return out
}

func (a *Advisor) postAt(id string) geo.Point {
	for _, p := range a.posts {
		if p.ID == id {
			return p.At
		}
	}
	return geo.Point{}
}

// PostFor is the post a dispatcher sends a unit to, with the kecamatan it
// covers there that no free unit of its type covers now; ok is false for
// a post that is not one of the unit's agency's stations.
func (a *Advisor) PostFor(units []cc112.Unit, unitID, postID string) (post cc112.UnitPost, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i := slices.IndexFunc(a.posts, func(p Post) bool { return p.ID == postID })
	j := slices.IndexFunc(units, func(u cc112.Unit) bool { return u.ID == unitID })
	if i < 0 || (j >= 0 && !a.AnyPost && a.agency[postID] != units[j].Agency) {
		return post, false
	}
	p := a.posts[i]
	post = cc112.UnitPost{ID: p.ID, Name: p.Name, Location: p.At}
	if j < 0 {
		return post, true // the engine says the unit is not found
	}
	typ := units[j].Type
	before := map[string]bool{}
	for _, name := range a.cov.Uncovered(typ, idle(units)) {
		before[name] = true
	}
	for i, ok := range a.cov.covered(typ, p.At) {
		if ok && before[a.cov.Points[i].Name] {
			post.Covers = append(post.Covers, a.cov.Points[i].Name)
		}
	}
	return post, true
}
