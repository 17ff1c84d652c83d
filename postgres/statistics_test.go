package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"cc112/internal/pgtest"
)

// withoutAutovacuum turns autovacuum off for the searched tables of db's
// schema, as a server without it is for all: the journal then looks after
// them, whatever the test server's setting.
func withoutAutovacuum(t *testing.T, db *DB) {
	t.Helper()
	for _, table := range searchedTables {
		if _, err := db.Pool.Exec(context.Background(), "alter table "+table+" set (autovacuum_enabled = off)"); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatisticsKeptWithoutAutovacuum: where autovacuum does not run for
// the searched tables the journal analyzes them at open, and again once
// they changed by more than autovacuum's threshold.
func TestStatisticsKeptWithoutAutovacuum(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	withoutAutovacuum(t, db)
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	lastAnalyze := func(table string) time.Time {
		t.Helper()
		var at *time.Time
		if err := db.Pool.QueryRow(ctx, `select last_analyze from pg_stat_user_tables
			where schemaname = current_schema() and relname = $1`, table).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if at == nil {
			return time.Time{}
		}
		return *at
	}
	// eventually polls (the statistics' counters reach pg_stat_user_tables
	// within a second or so of a commit) without depending on the clock's value.
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for range 300 {
			if ok() {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("not within 30 s: %s", what)
	}
	eventually("the searched tables analyzed at open", func() bool {
		return !lastAnalyze("incidents").IsZero() && !lastAnalyze("assignments").IsZero() && !lastAnalyze("incident_archive").IsZero()
	})
	if stale, err := j.staleTables(ctx, searchedTables); err != nil || len(stale) != 0 {
		t.Fatalf("stale after the first analyze: %v, %v", stale, err)
	}

	// 60 rows written (over 50 + 10% of none): stale; 2 more after the
	// analyze (under 50 + 10% of 60): fresh.
	insert := func(from, to int) {
		t.Helper()
		if _, err := db.Pool.Exec(ctx, `insert into incidents (id, number, wib_day, category, priority, status, lat, lon,
				district, address, description, caller_name, caller_phone, source, received_at, last_seq)
			select 'inc_' || i, 'SBY-' || i, '', 'fire', 1, 'closed', -7.25, 112.75, 'Genteng', 'Jl. Tunjungan', '', '', '',
				'phone', now(), i from generate_series($1::int, $2::int) i`, from, to); err != nil {
			t.Fatal(err)
		}
	}
	before := lastAnalyze("incidents")
	insert(1, 60)
	eventually("60 new rows make incidents stale", func() bool {
		stale, err := j.staleTables(ctx, searchedTables)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Equal(stale, []string{"incidents"})
	})
	analyzed, err := j.analyzeStale(ctx)
	if err != nil || !slices.Equal(analyzed, []string{"incidents"}) {
		t.Fatalf("analyzed %v, %v; want incidents", analyzed, err)
	}
	if !lastAnalyze("incidents").After(before) {
		t.Fatal("incidents not analyzed again")
	}
	var estimated float64
	if err := db.Pool.QueryRow(ctx, "select reltuples from pg_class where oid = 'incidents'::regclass").Scan(&estimated); err != nil || estimated != 60 {
		t.Fatalf("the planner's row count: %v, %v; want 60", estimated, err)
	}
	insert(61, 62)
	eventually("the 2 rows counted", func() bool { // else fresh only because not yet counted
		var changed int64
		if err := db.Pool.QueryRow(ctx, `select n_mod_since_analyze from pg_stat_user_tables
			where schemaname = current_schema() and relname = 'incidents'`).Scan(&changed); err != nil {
			t.Fatal(err)
		}
		return changed >= 2
	})
	if stale, err := j.staleTables(ctx, searchedTables); err != nil || len(stale) != 0 {
		t.Fatalf("2 rows over 60 made %v stale (%v)", stale, err)
	}
}

// TestPendingListsCleaned: the GIN indexes' pending lists, which new rows'
// entries wait in until a vacuum, are emptied where autovacuum does not
// run for the table.
func TestPendingListsCleaned(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	withoutAutovacuum(t, db)
	j := &Journal{pool: db.Pool} // no keeper of its own: this test cleans
	if _, err := db.Pool.Exec(ctx, `insert into incidents (id, number, wib_day, category, priority, status, lat, lon,
			district, address, description, caller_name, caller_phone, source, received_at, last_seq)
		select 'inc_' || i, 'SBY-' || i, '', 'fire', 1, 'closed', -7.25, 112.75, 'Genteng', 'Jl. Tunjungan ' || i, '', '',
			'+62812' || lpad(i::text, 8, '0'), 'phone', now(), i from generate_series(1, 300) i`); err != nil {
		t.Fatal(err)
	}
	if pages, err := j.cleanPendingLists(ctx, searchedTables); err != nil || pages == 0 {
		t.Fatalf("cleaned %d pending pages (%v) after 300 rows", pages, err)
	}
	if pages, err := j.cleanPendingLists(ctx, searchedTables); err != nil || pages != 0 {
		t.Fatalf("cleaned %d pending pages (%v) again", pages, err)
	}
}

// TestStatisticsNudge: enough committed events bring the next look forward,
// once however many commits follow.
func TestStatisticsNudge(t *testing.T) {
	k := &statisticsKeeper{nudge: make(chan struct{}, 1)}
	k.looked.Store(100) // the last look was at seq 100
	k.nudgeAt(100 + statisticsNudge - 1)
	if len(k.nudge) != 0 {
		t.Fatal("nudged before the threshold")
	}
	k.nudgeAt(100 + statisticsNudge)
	k.nudgeAt(100 + statisticsNudge + 5000)
	if len(k.nudge) != 1 {
		t.Fatal("not nudged at the threshold")
	}
	var none *statisticsKeeper // a journal that failed to open has none
	none.nudgeAt(statisticsNudge)
	none.close()
}
