package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The history's pages (search.go) are planned from the tables'
// statistics. Autovacuum keeps them; on a server that runs without it the
// tables are never analyzed, and a page of a fraction of a millisecond took
// 50 to 420 ms (docs/benchmarks.md). There, or for a table autovacuum is
// turned off for (autovacuum_enabled = off), the journal analyzes them
// itself, by autovacuum's own default rule, off the write path. It also
// empties their GIN indexes' pending lists, which only a vacuum does
// otherwise: new rows' entries wait there, and every search reads them all
// (until the insert that fills gin_pending_list_limit, 4 MB, moves them
// into the index on the write path).

// searchedTables are the tables the history's pages read.
var searchedTables = []string{"incidents", "assignments", "incident_archive"}

const (
	// statisticsEvery is how often the tables' changes are looked at
	// (autovacuum's default naptime).
	statisticsEvery = time.Minute
	// statisticsNudge is how many committed events bring that look
	// forward: an import of a year writes far more within a minute.
	statisticsNudge = 20_000
)

// unvacuumed is a condition on pg_class c: autovacuum does not look after
// the table, the server's or the table's own setting says.
const unvacuumed = `(current_setting('autovacuum') <> 'on'
	or exists (select from unnest(c.reloptions) o where o ~* '^autovacuum_enabled=(f|false|n|no|off|0)$'))`

// staleTables answers those of tables (in the journal's schema) that
// autovacuum does not look after and that were never analyzed or changed
// since by more than autovacuum's default threshold: 50 rows and 10% of
// the table.
func (j *Journal) staleTables(ctx context.Context, tables []string) ([]string, error) {
	rows, err := j.pool.Query(ctx, `select s.relname from pg_stat_user_tables s join pg_class c on c.oid = s.relid
		where s.schemaname = current_schema() and s.relname = any($1) and `+unvacuumed+`
			and (coalesce(s.last_analyze, s.last_autoanalyze) is null or s.n_mod_since_analyze > 50 + 0.1 * s.n_live_tup)
		order by s.relname`, tables)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// cleanPendingLists moves the entries waiting in the pending lists of the
// GIN indexes of those of tables autovacuum does not look after into the
// indexes, and answers how many pending pages it emptied.
func (j *Journal) cleanPendingLists(ctx context.Context, tables []string) (int64, error) {
	var pages int64
	err := j.pool.QueryRow(ctx, `select coalesce(sum(gin_clean_pending_list(x.indexrelid)), 0)
		from pg_index x join pg_class i on i.oid = x.indexrelid join pg_am a on a.oid = i.relam
			join pg_class c on c.oid = x.indrelid
		where a.amname = 'gin' and c.relnamespace = current_schema()::regnamespace and c.relname = any($1) and `+unvacuumed,
		tables).Scan(&pages)
	if err != nil {
		return 0, fmt.Errorf("postgres: clean GIN pending lists: %w", err)
	}
	return pages, nil
}

// analyzeStale analyzes the searched tables whose statistics are missing
// or stale and answers which it analyzed.
func (j *Journal) analyzeStale(ctx context.Context) ([]string, error) {
	stale, err := j.staleTables(ctx, searchedTables)
	if err != nil {
		return nil, fmt.Errorf("postgres: read table statistics: %w", err)
	}
	for _, t := range stale {
		// ANALYZE takes a lock that writes do not wait for.
		if _, err := j.pool.Exec(ctx, "analyze "+pgx.Identifier{t}.Sanitize()); err != nil {
			return nil, fmt.Errorf("postgres: analyze %s: %w", t, err)
		}
	}
	return stale, nil
}

// statisticsKeeper runs analyzeStale and cleanPendingLists at start, every
// statisticsEvery and after statisticsNudge committed events, until Close.
type statisticsKeeper struct {
	looked atomic.Uint64 // the journal's last seq at the last look
	nudge  chan struct{}
	stop   context.CancelFunc
	done   chan struct{}
}

func (j *Journal) keepStatistics() {
	ctx, cancel := context.WithCancel(context.Background())
	k := &statisticsKeeper{nudge: make(chan struct{}, 1), stop: cancel, done: make(chan struct{})}
	j.stats = k
	go func() {
		defer close(k.done)
		tick := time.NewTicker(statisticsEvery)
		defer tick.Stop()
		for {
			k.looked.Store(j.last.Load())
			start := time.Now()
			analyzed, err := j.analyzeStale(ctx)
			if err == nil {
				_, err = j.cleanPendingLists(ctx, searchedTables)
			}
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				j.log.Warn("PostgreSQL statistics not refreshed; history searches may slow down", "err", err)
			case len(analyzed) > 0:
				j.log.Info("PostgreSQL runs without autovacuum: analyzed the searched tables", "tables", analyzed, "took", time.Since(start).Round(time.Millisecond))
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			case <-k.nudge:
			}
		}
	}()
}

// nudgeAt brings the next look forward when the journal's last seq is
// statisticsNudge events past the last look.
func (k *statisticsKeeper) nudgeAt(seq uint64) {
	if k != nil && seq-k.looked.Load() >= statisticsNudge {
		select {
		case k.nudge <- struct{}{}:
		default:
		}
	}
}

func (k *statisticsKeeper) close() {
	if k != nil {
		k.stop()
		<-k.done
	}
}
