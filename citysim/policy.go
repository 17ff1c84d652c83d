package citysim

import (
	"fmt"
	"slices"
	"strings"

	"cc112"
	"cc112/coverage"
	"cc112/dispatch"
)

// Policy decides which units go to an incident. The simulator asks it once
// per unmet need of the response plan, with the engine's own ranking of the
// candidates (dispatch.Engine.Recommend: available units nearest first by
// road or straight line, and busy units on lower-priority incidents that
// would arrive DivertGain sooner, flagged DivertFrom). Every policy sees
// the same seeds and the same calls; only its choices differ.
type Policy interface {
	Name() string
	Pick(s *Situation, need cc112.Need, cands []dispatch.Recommendation) []Order
	// Post is where a unit that has just become free waits for its next
	// call: its home station, or a post that keeps the city covered.
	Post(s *Situation, u coverage.IdleUnit, home coverage.Post) coverage.Post
}

// homeStation is the baseline's Post: back to where the unit belongs.
type homeStation struct{}

func (homeStation) Post(_ *Situation, _ coverage.IdleUnit, home coverage.Post) coverage.Post {
	return home
}

// Order is one unit a policy sends; Divert takes it off the lower-priority
// incident it is working.
type Order struct {
	UnitID string
	Divert bool
}

// Situation is what a policy may look at when it decides.
type Situation struct {
	Incident *cc112.Incident
	// ElapsedS is the time since the call at the moment of the order.
	ElapsedS float64
	// TargetS is the response target; TurnoutS the expected turnout.
	TargetS, TurnoutS float64
	// Coverage scores the idle fleet of a type.
	Coverage *coverage.Coverage
	// Idle are the available units of the type asked for, each where it
	// is or, when driving to a post, at that post.
	Idle []coverage.IdleUnit
	// Posts are where units may wait.
	Posts []coverage.Post
}

// inTime reports whether a candidate would be on scene within target:
// an available unit still has its turnout ahead, a diverted one is driving.
func (s *Situation) inTime(c dispatch.Recommendation) bool {
	turnout := s.TurnoutS
	if c.DivertFrom != "" {
		turnout = 0
	}
	return s.ElapsedS+turnout+c.ETAS <= s.TargetS
}

func available(cands []dispatch.Recommendation) []dispatch.Recommendation {
	out := make([]dispatch.Recommendation, 0, len(cands))
	for _, c := range cands {
		if c.DivertFrom == "" {
			out = append(out, c)
		}
	}
	return out
}

// Closest sends the nearest available units (by the engine's ranking):
// the baseline, what the console's auto-assignment does.
type Closest struct{ homeStation }

func (Closest) Name() string { return "closest" }

func (Closest) Pick(_ *Situation, need cc112.Need, cands []dispatch.Recommendation) []Order {
	var out []Order
	for _, c := range available(cands) {
		if len(out) == need.Count {
			break
		}
		out = append(out, Order{UnitID: c.UnitID})
	}
	return out
}

// Divert is closest-idle that, for a priority-1 incident the nearest
// available unit cannot reach within target, takes a unit driving to a
// lower-priority incident when that one would (that incident waits for
// the next free unit).
type Divert struct{ homeStation }

func (Divert) Name() string { return "divert" }

func (Divert) Pick(s *Situation, need cc112.Need, cands []dispatch.Recommendation) []Order {
	avail := available(cands)
	var out []Order
	taken := map[string]bool{}
	for len(out) < need.Count {
		var best *dispatch.Recommendation
		for i := range avail {
			if !taken[avail[i].UnitID] {
				best = &avail[i]
				break
			}
		}
		if s.Incident.Priority == cc112.MinPriority && (best == nil || !s.inTime(*best)) {
			if d := firstDivert(s, cands, taken); d != nil {
				taken[d.UnitID] = true
				out = append(out, Order{UnitID: d.UnitID, Divert: true})
				continue
			}
		}
		if best == nil {
			break
		}
		taken[best.UnitID] = true
		out = append(out, Order{UnitID: best.UnitID})
	}
	return out
}

// firstDivert is the nearest busy candidate still driving to its incident
// that would make the target (one on scene has begun its work there).
func firstDivert(s *Situation, cands []dispatch.Recommendation, taken map[string]bool) *dispatch.Recommendation {
	for i := range cands {
		c := &cands[i]
		if c.DivertFrom != "" && c.DivertStatus == cc112.UnitEnroute && !taken[c.UnitID] && s.inTime(*c) {
			return c
		}
	}
	return nil
}

// CoveragePolicy is dynamic MEXCLP dispatching (Jagtenberg, Bhulai and van
// der Mei 2017): of the available units that would be on scene within
// target, send the one whose leaving keeps the most expected coverage of
// the city; when none would, the closest. A freed unit goes to the post
// that adds the most expected coverage (DMEXCLP redeployment, Jagtenberg,
// Bhulai and van der Mei 2015), its home station when that is as good.
type CoveragePolicy struct{}

func (CoveragePolicy) Post(s *Situation, u coverage.IdleUnit, home coverage.Post) coverage.Post {
	if s.Coverage == nil {
		return home
	}
	others := without(s.Idle, u.ID)
	best, bestV := home, s.Coverage.Value(u.Type, append(slices.Clone(others), coverage.IdleUnit{ID: u.ID, Type: u.Type, At: home.At}))
	for _, p := range s.Posts {
		v := s.Coverage.Value(u.Type, append(slices.Clone(others), coverage.IdleUnit{ID: u.ID, Type: u.Type, At: p.At}))
		if v > bestV+1e-9 {
			best, bestV = p, v
		}
	}
	return best
}

func (CoveragePolicy) Name() string { return "coverage" }

func (CoveragePolicy) Pick(s *Situation, need cc112.Need, cands []dispatch.Recommendation) []Order {
	avail := available(cands)
	idle := slices.Clone(s.Idle)
	var out []Order
	for len(out) < need.Count && len(avail) > 0 {
		pick := 0
		if s.Coverage != nil {
			best := -1.0
			for i, c := range avail {
				if !s.inTime(c) {
					continue
				}
				v := s.Coverage.Value(need.Type, without(idle, c.UnitID))
				if v > best+1e-12 {
					best, pick = v, i
				}
			}
		}
		out = append(out, Order{UnitID: avail[pick].UnitID})
		idle = without(idle, avail[pick].UnitID)
		avail = slices.Delete(avail, pick, pick+1)
	}
	return out
}

// CoverageDispatch is CoveragePolicy's dispatching alone: units go home
// when free (to tell the two halves of the coverage policy apart).
type CoverageDispatch struct{ homeStation }

func (CoverageDispatch) Name() string { return "coverage-dispatch" }

func (CoverageDispatch) Pick(s *Situation, need cc112.Need, cands []dispatch.Recommendation) []Order {
	return CoveragePolicy{}.Pick(s, need, cands)
}

// Redeploy is closest-idle dispatching with CoveragePolicy's redeployment
// of freed units.
type Redeploy struct{ Closest }

func (Redeploy) Name() string { return "redeploy" }

func (Redeploy) Post(s *Situation, u coverage.IdleUnit, home coverage.Post) coverage.Post {
	return CoveragePolicy{}.Post(s, u, home)
}

func without(idle []coverage.IdleUnit, id string) []coverage.IdleUnit {
	out := make([]coverage.IdleUnit, 0, len(idle))
	for _, u := range idle {
		if u.ID != id {
			out = append(out, u)
		}
	}
	return out
}

// Policies are the policies by name.
var Policies = map[string]Policy{
	"closest":  Closest{},
	"divert":   Divert{},
	"coverage": CoveragePolicy{},
	// The two halves of coverage, for the study's ablation.
	"coverage-dispatch": CoverageDispatch{},
	"redeploy":          Redeploy{},
}

// PolicyNames lists the names of Policies, sorted.
func PolicyNames() []string {
	names := make([]string, 0, len(Policies))
	for n := range Policies {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ParsePolicies reads a comma-separated list of policy names.
func ParsePolicies(list string) ([]Policy, error) {
	var out []Policy
	seen := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		p, ok := Policies[n]
		if !ok {
			return nil, fmt.Errorf("unknown policy %q (one of %s)", n, strings.Join(PolicyNames(), ", "))
		}
		seen[n] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no policy given (one or more of %s)", strings.Join(PolicyNames(), ", "))
	}
	return out, nil
}
