package dispatch

import (
	"context"
	"math"
	"testing"

	"cc112"
	"cc112/geo"
)

// TestUnstorableEventFailsOneCommand: an event no journal can store (a NUL,
// which PostgreSQL's jsonb refuses) that got past the input checks fails
// its command with 400 before it is applied; events the command emitted
// before it stay applied and are journaled, so memory and journal agree;
// and the engine goes on taking commands.
func TestUnstorableEventFailsOneCommand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.incident(t, cc112.CatFire, near(0, 0))
	b := f.incident(t, cc112.CatFire, near(100, 0))
	closeWith := func(id, disposition string) func(tx *Tx) (any, error) {
		return func(tx *Tx) (any, error) {
			tx.Emit(cc112.EvIncidentClosed, cc112.IncidentClosedPayload{IncidentID: id, Disposition: disposition})
			return nil, nil
		}
	}

	seq := f.eng.LastSeq()
	_, err := f.eng.Exec(ctx, "", "", closeWith(a.ID, "padam\x00"))
	wantCode(t, err, cc112.EInvalid)
	if f.eng.LastSeq() != seq {
		t.Fatalf("seq %d → %d: the refused command emitted an event", seq, f.eng.LastSeq())
	}
	if inc := must[*cc112.Incident](t)(f.eng.Incident(a.ID)); inc.Status == cc112.IncidentClosed {
		t.Fatal("the refused command closed the incident")
	}

	// A command that emitted a good event before the bad one.
	_, err = f.eng.Exec(ctx, "", "", func(tx *Tx) (any, error) {
		if _, err := closeWith(b.ID, "padam")(tx); err != nil {
			return nil, err
		}
		return closeWith(a.ID, "padam\x00")(tx)
	})
	wantCode(t, err, cc112.EInvalid)

	// A value JSON cannot encode is refused the same way.
	_, err = f.eng.Exec(ctx, "", "", func(tx *Tx) (any, error) {
		tx.Emit(cc112.EvUnitMoved, cc112.UnitMovedPayload{UnitID: "x", Location: geo.Point{Lat: math.NaN()}})
		return nil, nil
	})
	wantCode(t, err, cc112.EInvalid)

	if err := f.eng.Ready(ctx); err != nil {
		t.Fatalf("engine not ready after refused commands: %v", err)
	}
	c := f.incident(t, cc112.CatFire, near(200, 0))
	if err := f.eng.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	// Replay gives what memory holds: b closed, a open, c new.
	eng := f.reopen(t)
	for id, want := range map[string]cc112.IncidentStatus{a.ID: cc112.IncidentNew, b.ID: cc112.IncidentClosed, c.ID: cc112.IncidentNew} {
		inMemory := must[*cc112.Incident](t)(f.eng.Incident(id))
		replayed := must[*cc112.Incident](t)(eng.Incident(id))
		if inMemory.Status != want || replayed.Status != want {
			t.Errorf("incident %s: %s in memory, %s replayed, want %s", id, inMemory.Status, replayed.Status, want)
		}
	}
}
