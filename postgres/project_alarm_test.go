package postgres

import (
	"context"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/internal/citytest"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
)

// TestProjectAlarmLevel raises an incident's alarm through a real engine on
// the PostgreSQL journal: the incidents row carries the level the engine
// holds (1 until raised).
func TestProjectAlarmLevel(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	clock := clocktest.New(time.Date(2026, 11, 22, 16, 59, 59, 0, time.UTC))
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, citytest.Units()); err != nil {
		t.Fatal(err)
	}
	p := citytest.Center
	inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, Location: &p}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	level := func() int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, "select alarm_level from incidents where id = $1", inc.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := level(); n != 1 {
		t.Fatalf("new incident: alarm_level %d, want 1", n)
	}
	clock.Advance(time.Second) // 17:00:00 UTC: midnight WIB
	if _, err := eng.RaiseAlarm(ctx, inc.ID, 3, dispatch.Author{Username: "sup", Role: "supervisor"}, "", ""); err != nil {
		t.Fatal(err)
	}
	if n := level(); n != 3 {
		t.Fatalf("raised: alarm_level %d, want 3", n)
	}
}
