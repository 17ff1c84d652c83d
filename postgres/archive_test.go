package postgres

import (
	"context"
	"testing"

	"cc112"
	"cc112/internal/journaltest"
	"cc112/internal/pgtest"
	"cc112/kpi"
)

// Incidents archived by a version before migration 018 (marked
// unmeasured, without a metrics record) are measured at the next open; a
// record that does not decode fails a report as unavailable. (The
// records themselves: journaltest's ArchiveMetrics, for both journals.)
func TestArchiveMetricsUpgradeAndDamage(t *testing.T) {
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	ctx := context.Background()
	check := journaltest.ArchiveMetrics(t, j)
	for _, sql := range []string{`delete from incident_archive_metrics where id in ('inc-0', 'inc-4')`,
		`update incident_archive set unmeasured = true where id in ('inc-0', 'inc-4')`} {
		if _, err := db.Pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	_ = j.Close()
	j = openJournal(t, db, JournalOptions{})
	t.Cleanup(func() { _ = j.Close() })
	var unfilled int
	if err := db.Pool.QueryRow(ctx, `select count(*) from incident_archive where unmeasured`).Scan(&unfilled); err != nil || unfilled != 0 {
		t.Fatalf("%d rows left without their record (%v)", unfilled, err)
	}
	check(j)

	if _, err := db.Pool.Exec(ctx, `update incident_archive_metrics set record = substring(record from 2) where id = 'inc-3'`); err != nil {
		t.Fatal(err)
	}
	x := kpi.NewIndex(cc112.WIB)
	x.UseArchive(j)
	if _, err := x.Report(ctx, kpi.Query{}, kpi.DefaultTargets()); cc112.ErrorCode(err) != cc112.EUnavailable {
		t.Errorf("a report over a damaged record: %v, want unavailable", err)
	}
}
