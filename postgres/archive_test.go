package postgres

import (
	"context"
	"testing"

	"cc112"
	"cc112/internal/journaltest"
	"cc112/internal/pgtest"
	"cc112/kpi"
)

// Rows archived by a version before migration 018 (no metrics record)
// are measured from their documents and filled at the next open; a record
// that does not decode fails a report as unavailable. (The records
// themselves: journaltest's ArchiveMetrics, for both journals.)
func TestArchiveMetricsUpgradeAndDamage(t *testing.T) {
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	ctx := context.Background()
	check := journaltest.ArchiveMetrics(t, j)
	if _, err := db.Pool.Exec(ctx, `update incident_archive set metrics = null where id in ('inc-0', 'inc-4')`); err != nil {
		t.Fatal(err)
	}
	check(j)
	_ = j.Close()
	j = openJournal(t, db, JournalOptions{})
	t.Cleanup(func() { _ = j.Close() })
	var unfilled int
	if err := db.Pool.QueryRow(ctx, `select count(*) from incident_archive where metrics is null`).Scan(&unfilled); err != nil || unfilled != 0 {
		t.Fatalf("%d rows left without their record (%v)", unfilled, err)
	}
	check(j)

	if _, err := db.Pool.Exec(ctx, `update incident_archive set metrics = substring(metrics from 2) where id = 'inc-3'`); err != nil {
		t.Fatal(err)
	}
	x := kpi.NewIndex(cc112.WIB)
	x.UseArchive(j)
	if _, err := x.Report(ctx, kpi.Query{}, kpi.DefaultTargets()); cc112.ErrorCode(err) != cc112.EUnavailable {
		t.Errorf("a report over a damaged record: %v, want unavailable", err)
	}
}
