package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112/track"
)

// BreadcrumbOptions tunes Breadcrumbs; zero values take the defaults.
type BreadcrumbOptions struct {
	// Every is the least time between two stored fixes of a unit (5 s).
	Every time.Duration
	// FlushEvery is how often the buffer is written (1 s).
	FlushEvery time.Duration
	// MaxBuffer bounds the fixes waiting to be written (100 000). While the
	// database is down the oldest are dropped (and counted) beyond it.
	MaxBuffer int
}

// Breadcrumbs stores sampled GPS fixes for track playback: Add only buffers
// (it runs under the engine's lock and never blocks on the database); Run
// writes the buffer with COPY every FlushEvery. Positions are a stream:
// what is buffered when the process dies is lost, never an acknowledged
// command.
type Breadcrumbs struct {
	db   *DB
	log  *slog.Logger
	opts BreadcrumbOptions

	mu      sync.Mutex
	buf     []track.Fix
	last    map[string]time.Time // last sampled fix per unit
	failing bool

	dropped atomic.Uint64
	written atomic.Uint64
}

// NewBreadcrumbs makes the breadcrumb store of db.
func NewBreadcrumbs(db *DB, opts BreadcrumbOptions) *Breadcrumbs {
	if opts.Every == 0 {
		opts.Every = 5 * time.Second
	}
	if opts.FlushEvery == 0 {
		opts.FlushEvery = time.Second
	}
	if opts.MaxBuffer == 0 {
		opts.MaxBuffer = 100_000
	}
	return &Breadcrumbs{db: db, log: db.log, opts: opts, last: map[string]time.Time{}}
}

// Add samples a fix: kept when the unit's last kept fix is at least Every
// older. Safe for concurrent use; never blocks on I/O.
func (b *Breadcrumbs) Add(f track.Fix) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if last, ok := b.last[f.UnitID]; ok && f.At.Sub(last) < b.opts.Every {
		return
	}
	b.last[f.UnitID] = f.At
	if len(b.buf) >= b.opts.MaxBuffer {
		b.buf = b.buf[1:]
		b.dropped.Add(1)
	}
	b.buf = append(b.buf, f)
}

// Dropped is how many fixes were dropped because the buffer was full (the
// database unreachable for a long time).
func (b *Breadcrumbs) Dropped() uint64 { return b.dropped.Load() }

// Written is how many fixes were stored.
func (b *Breadcrumbs) Written() uint64 { return b.written.Load() }

// Run flushes every FlushEvery until ctx ends, then once more.
func (b *Breadcrumbs) Run(ctx context.Context) {
	t := time.NewTicker(b.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = b.Flush(fctx)
			cancel()
			return
		case <-t.C:
			_ = b.Flush(ctx)
		}
	}
}

// Flush writes the buffered fixes in one COPY. On failure they go back to
// the front of the buffer (within MaxBuffer) for the next try.
func (b *Breadcrumbs) Flush(ctx context.Context) error {
	b.mu.Lock()
	batch := b.buf
	b.buf = nil
	b.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	_, err := b.db.Pool.CopyFrom(ctx, pgx.Identifier{"positions"},
		[]string{"unit_id", "at", "lat", "lon", "heading", "speed", "accuracy"},
		pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
			f := batch[i]
			return []any{f.UnitID, f.At, f.Lat, f.Lon, f.Heading, f.Speed, f.Accuracy}, nil
		}))
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		merged := append(batch, b.buf...)
		if over := len(merged) - b.opts.MaxBuffer; over > 0 {
			merged = merged[over:]
			b.dropped.Add(uint64(over))
		}
		b.buf = merged
		if !b.failing {
			b.log.Warn("breadcrumbs not stored: keeping them in memory (oldest dropped beyond the limit)",
				"buffered", len(b.buf), "limit", b.opts.MaxBuffer, "err", err)
		}
		b.failing = true
		return fmt.Errorf("postgres: store breadcrumbs: %w", err)
	}
	if b.failing {
		b.log.Info("breadcrumbs stored again", "dropped_total", b.dropped.Load())
	}
	b.failing = false
	b.written.Add(uint64(len(batch)))
	return nil
}

// Track reads a unit's stored fixes with from <= at < to, in time order.
func (b *Breadcrumbs) Track(ctx context.Context, unitID string, from, to time.Time, limit int) ([]track.Fix, error) {
	rows, err := b.db.Pool.Query(ctx, `select at, lat, lon, heading, speed, accuracy from positions
		where unit_id = $1 and at >= $2 and at < $3 order by at limit $4`, unitID, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: track: %w", err)
	}
	defer rows.Close()
	var out []track.Fix
	for rows.Next() {
		f := track.Fix{UnitID: unitID}
		var heading, speed, accuracy *float32
		if err := rows.Scan(&f.At, &f.Lat, &f.Lon, &heading, &speed, &accuracy); err != nil {
			return nil, fmt.Errorf("postgres: track: %w", err)
		}
		f.At = f.At.UTC()
		f.Heading, f.Speed, f.Accuracy = widen(heading), widen(speed), widen(accuracy)
		out = append(out, f)
	}
	return out, rows.Err()
}

func widen(v *float32) *float64 {
	if v == nil {
		return nil
	}
	w := float64(*v)
	return &w
}

var _ track.Source = (*Breadcrumbs)(nil)
