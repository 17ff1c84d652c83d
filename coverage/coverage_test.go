package coverage

import (
	"reflect"
	"testing"

	"cc112"
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
	posts  = []Post{{ID: "pw", Name: "Pos West", At: west}, {ID: "pe", Name: "Pos East", At: east}}
)

func tinyCity() *Coverage {
	return &Coverage{
		Points: []DemandPoint{{Name: "West", At: west, Weight: 0.5}, {Name: "East", At: east, Weight: 0.5}},
		ETA:    geo.DefaultETAModel(), BudgetS: 1000, Busy: 0.3,
	}
}

func TestTinyCityCoverageByHand(t *testing.T) {
	c := tinyCity()
	idle := []IdleUnit{{ID: "A", Type: cc112.UnitAmbulance, At: middle}, {ID: "B", Type: cc112.UnitAmbulance, At: west}}
	if got := c.Uncovered(cc112.UnitAmbulance, idle); len(got) != 0 {
		t.Fatalf("uncovered %v, want none (A covers both)", got)
	}
	if got := c.Uncovered(cc112.UnitAmbulance, idle[1:]); !reflect.DeepEqual(got, []string{"East"}) {
		t.Fatalf("B alone leaves %v uncovered, want [East]", got)
	}
	// Both: West covered twice (1 − 0.3²), East once (1 − 0.3).
	want := 0.5*(1-0.09) + 0.5*(1-0.3)
	if v := c.Value(cc112.UnitAmbulance, idle); v < want-1e-9 || v > want+1e-9 {
		t.Errorf("value %v, want %v", v, want)
	}
	if v := c.Value(cc112.UnitPolice, idle); v != 0 {
		t.Errorf("police value %v: no police unit is idle", v)
	}
}

// Two units at West: the advice moves one to Pos East, which covers East;
// one unit in the middle covers all, and no move is advised.
func TestMoveUpsOnATinyCity(t *testing.T) {
	both := []IdleUnit{{ID: "B", Type: cc112.UnitAmbulance, At: west}, {ID: "D", Type: cc112.UnitAmbulance, At: west}}
	moves := tinyCity().MoveUps(cc112.UnitAmbulance, both, posts)
	if len(moves) == 0 || moves[0].PostID != "pe" || !reflect.DeepEqual(moves[0].Covers, []string{"East"}) {
		t.Fatalf("move-ups %+v, want one of the West units to Pos East covering East", moves)
	}
	if moves := tinyCity().MoveUps(cc112.UnitAmbulance, []IdleUnit{{ID: "A", Type: cc112.UnitAmbulance, At: middle}}, posts); len(moves) != 0 {
		t.Errorf("A in the middle covers all: move-ups %+v, want none", moves)
	}
}
