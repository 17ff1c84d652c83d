package citysim

import (
	"reflect"
	"testing"

	"cc112"
	"cc112/coverage"
	"cc112/dispatch"
	"cc112/geo"
)

// A tiny city checked by hand: two demand points 11 km apart, West and
// East, equally weighted; unit A waits in the middle (about 5.5 km, some
// 650 s, from either), unit B at West. With a 1000 s travel budget, A
// covers both points and B only West.
var (
	west   = geo.Point{Lat: -7.25, Lon: 112.70}
	east   = geo.Point{Lat: -7.25, Lon: 112.80}
	middle = geo.Point{Lat: -7.25, Lon: 112.75}
)

// The tiny city of coverage's tests, seen by the policies.
func tinyCity() *coverage.Coverage {
	return &coverage.Coverage{
		Points: []coverage.DemandPoint{{Name: "West", At: west, Weight: 0.5}, {Name: "East", At: east, Weight: 0.5}},
		ETA:    geo.DefaultETAModel(), BudgetS: 1000, Busy: 0.3,
	}
}

func tinySituation(prio int) *Situation {
	return &Situation{
		Incident: &cc112.Incident{ID: "inc", Priority: prio},
		ElapsedS: 60, TargetS: 444, TurnoutS: 60, Coverage: tinyCity(),
		Idle: []coverage.IdleUnit{{ID: "A", Type: cc112.UnitAmbulance, At: middle}, {ID: "B", Type: cc112.UnitAmbulance, At: west}},
	}
}

func TestPoliciesOnATinyCity(t *testing.T) {
	need := cc112.Need{Type: cc112.UnitAmbulance, Count: 1}
	amb := func(id string, eta float64) dispatch.Recommendation {
		return dispatch.Recommendation{UnitID: id, Type: cc112.UnitAmbulance, ETAS: eta}
	}
	busy := func(id string, eta float64, status cc112.UnitStatus) dispatch.Recommendation {
		r := amb(id, eta)
		r.DivertFrom, r.DivertPriority, r.DivertStatus = "other", 3, status
		return r
	}
	tests := []struct {
		name   string
		policy Policy
		prio   int
		cands  []dispatch.Recommendation
		want   []Order
	}{
		// Both would make it (60 + 60 + ETA ≤ 444): closest takes A,
		// coverage keeps A, which covers both points, and sends B.
		{"closest takes the nearest", Closest{}, 2, []dispatch.Recommendation{amb("A", 200), amb("B", 250)}, []Order{{UnitID: "A"}}},
		{"coverage keeps the unit that covers more", CoveragePolicy{}, 2, []dispatch.Recommendation{amb("A", 200), amb("B", 250)}, []Order{{UnitID: "B"}}},
		// B would be late (60 + 60 + 400 > 444): coverage takes the closest.
		{"coverage sends the closest when the other is late", CoveragePolicy{}, 2, []dispatch.Recommendation{amb("A", 200), amb("B", 400)}, []Order{{UnitID: "A"}}},
		{"coverage sends the closest when none is in time", CoveragePolicy{}, 2, []dispatch.Recommendation{amb("A", 500), amb("B", 600)}, []Order{{UnitID: "A"}}},
		// A priority-1 call the nearest free unit reaches late: divert C,
		// driving to a priority-3 call, which is in time (60 + 100).
		{"divert takes a unit en route to a lower priority", Divert{}, 1, []dispatch.Recommendation{busy("C", 100, cc112.UnitEnroute), amb("A", 500)}, []Order{{UnitID: "C", Divert: true}}},
		{"divert leaves a unit already on scene", Divert{}, 1, []dispatch.Recommendation{busy("C", 100, cc112.UnitOnscene), amb("A", 500)}, []Order{{UnitID: "A"}}},
		{"divert only for priority 1", Divert{}, 2, []dispatch.Recommendation{busy("C", 100, cc112.UnitEnroute), amb("A", 500)}, []Order{{UnitID: "A"}}},
		{"divert not when the free unit is in time", Divert{}, 1, []dispatch.Recommendation{busy("C", 100, cc112.UnitEnroute), amb("A", 300)}, []Order{{UnitID: "A"}}},
		{"closest never diverts", Closest{}, 1, []dispatch.Recommendation{busy("C", 100, cc112.UnitEnroute), amb("A", 500)}, []Order{{UnitID: "A"}}},
		{"nothing to send", Closest{}, 1, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.policy.Pick(tinySituation(tt.prio), need, tt.cands)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s picked %v, want %v", tt.policy.Name(), got, tt.want)
			}
		})
	}
}

// A freed unit: the baseline goes home; coverage goes where nothing is
// covered, and the move-up advice says the same.
func TestPostsAndMoveUpsOnATinyCity(t *testing.T) {
	s := tinySituation(2)
	s.Idle = []coverage.IdleUnit{{ID: "B", Type: cc112.UnitAmbulance, At: west}}
	s.Posts = []coverage.Post{{ID: "pw", Name: "Pos West", At: west}, {ID: "pe", Name: "Pos East", At: east}}
	freed := coverage.IdleUnit{ID: "D", Type: cc112.UnitAmbulance, At: west}
	home := s.Posts[0]
	if got := (Closest{}).Post(s, freed, home); got != home {
		t.Errorf("closest sends D to %s, want home", got.Name)
	}
	if got := (CoveragePolicy{}).Post(s, freed, home); got.ID != "pe" {
		t.Errorf("coverage sends D to %s, want Pos East (East is uncovered)", got.Name)
	}
}
