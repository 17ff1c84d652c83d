package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"cc112"
)

// ErrSeqGap is returned for a batch whose seqs do not continue the journal,
// e.g. because another instance wrote meanwhile (a deposed leader): nothing
// of that batch is written.
var ErrSeqGap = errors.New("event seqs do not continue the journal")

// replayChunk is how many events Replay reads per query: fn runs between
// queries, so a slow fn never holds a query open.
const replayChunk = 4096

// flushTimeout bounds one commit: a journal that cannot commit within it is
// treated as failed (the engine then refuses commands) rather than hanging
// every caller.
const flushTimeout = 30 * time.Second

// Journal is the PostgreSQL cc112.Journal. Each group-committed batch is one
// transaction: the events (COPY) and their projections; a command is
// acknowledged only after that transaction committed.
type Journal struct {
	pool *pgxpool.Pool
	gc   *cc112.GroupCommitter
	// PerCommand disables group commit (one transaction per Append): only
	// for the benchmark that measures what group commit buys.
	perCommand bool

	last   atomic.Uint64
	closed atomic.Bool
	log    *slog.Logger
	stats  *statisticsKeeper
	// trigrams samples the searched text for FindIncidents' index parts.
	trigrams *trigramSampler
}

var _ cc112.Journal = (*Journal)(nil)

// JournalOptions tunes a Journal.
type JournalOptions struct {
	// MaxBatch bounds the events per transaction (0: 4096).
	MaxBatch int
	// NoGroupCommit writes each Append in its own transaction, one at a time
	// (for the benchmark comparing both).
	NoGroupCommit bool
}

// NewJournal opens the journal of db.
func NewJournal(ctx context.Context, db *DB, opts JournalOptions) (*Journal, error) {
	j := &Journal{pool: db.Pool, log: db.log}
	var last int64
	if err := db.Pool.QueryRow(ctx, "select coalesce(max(seq), 0) from events").Scan(&last); err != nil {
		return nil, fmt.Errorf("postgres: read last seq: %w", err)
	}
	j.last.Store(uint64(last))
	var autovacuum string
	if err := db.Pool.QueryRow(ctx, "select current_setting('autovacuum')").Scan(&autovacuum); err == nil && autovacuum != "on" {
		j.log.Warn("PostgreSQL runs without autovacuum: dead rows are never vacuumed; dispatchd analyzes the tables history searches read itself")
	}
	if err := j.fillArchiveMetrics(ctx); err != nil {
		return nil, err
	}
	// The background work starts once nothing can fail the open (Close
	// stops it).
	// Where autovacuum does not look after the searched tables (the
	// server's setting, or a table's) the journal keeps their statistics
	// and GIN indexes itself (statistics.go); elsewhere it finds nothing to do.
	j.keepStatistics()
	j.startTrigramSampler()
	j.perCommand = opts.NoGroupCommit
	j.gc = cc112.NewGroupCommitter(j.flush, opts.MaxBatch)
	return j, nil
}

// Append queues events; see cc112.Journal.
func (j *Journal) Append(events []cc112.Event) <-chan error {
	if j.perCommand {
		return j.appendAlone(events)
	}
	return j.gc.Append(events)
}

// appendAlone commits one Append in its own transaction before returning.
// The engine calls Append under its write lock, so commands are serialised
// one transaction each: the baseline group commit is measured against.
func (j *Journal) appendAlone(events []cc112.Event) <-chan error {
	ch := make(chan error, 1)
	ch <- j.flush(events)
	return ch
}

func (j *Journal) flush(batch []cc112.Event) error {
	if len(batch) == 0 {
		return nil
	}
	if want := j.last.Load() + 1; batch[0].Seq != want {
		return fmt.Errorf("postgres: %w: got %d, want %d", ErrSeqGap, batch[0].Seq, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	err := pgx.BeginFunc(ctx, j.pool, func(tx pgx.Tx) error {
		rows := make([][]any, len(batch))
		for i, ev := range batch {
			rows[i] = []any{int64(ev.Seq), ev.Type, ev.At, string(ev.Data)}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"events"}, []string{"seq", "type", "at", "data"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy events: %w", err)
		}
		b := &pgx.Batch{}
		for _, ev := range batch {
			if err := project(b, ev); err != nil {
				return fmt.Errorf("project event %d (%s): %w: %w", ev.Seq, ev.Type, cc112.ErrUnstorable, err)
			}
		}
		if b.Len() > 0 {
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return fmt.Errorf("projections: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		if refusedData(err) {
			err = fmt.Errorf("%w: %w", cc112.ErrUnstorable, err)
		}
		return fmt.Errorf("postgres: commit events %d-%d: %w", batch[0].Seq, batch[len(batch)-1].Seq, err)
	}
	j.last.Store(batch[len(batch)-1].Seq)
	j.stats.nudgeAt(j.last.Load())
	return nil
}

// refusedData reports whether PostgreSQL refused the batch for a value in
// it (SQLSTATE class 22, data exception: 22P05 a NUL in jsonb, 22021 a
// character the encoding lacks, 22001 a value too long, ...), not because
// the database failed: another batch without that value would commit.
func refusedData(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && strings.HasPrefix(pg.Code, "22")
}

// Replay calls fn for each event with Seq > after, in order, reading in
// chunks. It also advances LastSeq past what it read: a standby that
// follows the leader's journal learns the seq it must continue from.
func (j *Journal) Replay(ctx context.Context, after uint64, fn func(cc112.Event) error) error {
	for {
		evs, err := j.read(ctx, after, replayChunk)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if err := fn(ev); err != nil {
				return err
			}
			after = ev.Seq
		}
		if len(evs) > 0 {
			j.advance(after)
		}
		if len(evs) < replayChunk {
			return nil
		}
	}
}

func (j *Journal) advance(seq uint64) {
	for {
		cur := j.last.Load()
		if seq <= cur || j.last.CompareAndSwap(cur, seq) {
			return
		}
	}
}

func (j *Journal) read(ctx context.Context, after uint64, limit int) ([]cc112.Event, error) {
	rows, err := j.pool.Query(ctx, "select seq, type, at, data from events where seq > $1 order by seq limit $2", int64(after), limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: replay: %w", err)
	}
	evs := make([]cc112.Event, 0, 64)
	for rows.Next() {
		var (
			seq  int64
			ev   cc112.Event
			data []byte
		)
		if err := rows.Scan(&seq, &ev.Type, &ev.At, &data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: replay: %w", err)
		}
		ev.Seq, ev.Data, ev.At = uint64(seq), data, ev.At.UTC()
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: replay: %w", err)
	}
	return evs, nil
}

// Head is the seq of the newest event in the database, whoever wrote it: a
// standby compares it with what it has applied.
func (j *Journal) Head(ctx context.Context) (uint64, error) {
	var head int64
	if err := j.pool.QueryRow(ctx, "select coalesce(max(seq), 0) from events").Scan(&head); err != nil {
		return 0, fmt.Errorf("postgres: journal head: %w", err)
	}
	return uint64(head), nil
}

// LastSeq is the seq of the last event this instance committed or read.
func (j *Journal) LastSeq() uint64 { return j.last.Load() }

// Ping reports whether PostgreSQL answers.
func (j *Journal) Ping(ctx context.Context) error {
	if j.closed.Load() {
		return cc112.ErrJournalClosed
	}
	return j.pool.Ping(ctx)
}

// Close flushes what is queued. The pool belongs to the DB.
func (j *Journal) Close() error {
	if j.closed.CompareAndSwap(false, true) {
		j.gc.Close()
		j.stats.close()
		j.trigrams.close()
	}
	return nil
}

// Timing of WatchCommits' connection: a silent connection is pinged after
// listenIdle, and a lost one is dialled again after listenRetry (doubling
// to listenRetryMax).
const (
	listenIdle     = 2 * time.Second
	listenRetry    = 100 * time.Millisecond
	listenRetryMax = 5 * time.Second
)

var _ cc112.CommitWatcher = (*Journal)(nil)

// WatchCommits listens on its own connection (not one of the pool's) for
// the notification every appending transaction sends on commit (migration
// journal_notify); see cc112.CommitWatcher.
func (j *Journal) WatchCommits(ctx context.Context, commits chan<- struct{}, listening func(bool)) {
	retry := listenRetry
	for ctx.Err() == nil {
		heard, err := j.listen(ctx, commits, listening)
		listening(false)
		if ctx.Err() != nil {
			return
		}
		if heard {
			retry = listenRetry
		}
		j.log.Warn("postgres: not listening for journal commits; the standby polls meanwhile", "err", err, "retry_in", retry)
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
		retry = min(2*retry, listenRetryMax)
	}
}

// listen holds one LISTEN connection until it fails; heard says whether it
// got as far as listening.
func (j *Journal) listen(ctx context.Context, commits chan<- struct{}, listening func(bool)) (heard bool, err error) {
	cfg := j.pool.Config().ConnConfig.Copy()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.Background())
	var schema string
	if err := conn.QueryRow(ctx, "select current_schema()").Scan(&schema); err != nil {
		return false, err
	}
	// Named in pg_stat_activity, so that an operator (or a test) finds it.
	if _, err := conn.Exec(ctx, "select set_config('application_name', $1, false)", ListenerName(schema)); err != nil {
		return false, err
	}
	if _, err := conn.Exec(ctx, "listen "+pgx.Identifier{"cc112_journal_" + schema}.Sanitize()); err != nil {
		return false, err
	}
	listening(true)
	signal(commits) // what was committed before LISTEN took effect
	for {
		wait, cancel := context.WithTimeout(ctx, listenIdle)
		_, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			signal(commits)
		case ctx.Err() != nil:
			return true, ctx.Err()
		case pgconn.Timeout(err):
			ping, cancel := context.WithTimeout(ctx, listenIdle)
			err = conn.Ping(ping)
			cancel()
			if err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}

// ListenerName is the application_name of the connection that listens
// for the journal's commits in schema.
func ListenerName(schema string) string { return "cc112 journal listener " + schema }

func signal(ch chan<- struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
