// Package redisfeed fans the live feed out between dispatchd instances
// through Redis (go-redis): the leader appends every live message its hub
// numbered (the same JSON its own clients get) to a Redis stream, and a
// snapshot when a reader asks for one; any instance reads them in order.
// The latest unit positions are kept in a Redis hash. Redis is a relay, not
// a store: when it is away the leader keeps working alone and reconnects by
// itself; a reader that reconnects or sees a gap asks for a snapshot.
package redisfeed

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Log is the leader's numbered live messages, in order: the live hub's
// Tap (live.Tap).
type Log interface {
	// Next appends up to max messages (JSON) after the cursor; they stay
	// next until Done.
	Next(dst [][]byte, max int) [][]byte
	Done()
	// WantSnapshot makes Next hand out a snapshot in its place in the
	// order of messages.
	WantSnapshot() error
	// Wake receives when messages may follow.
	Wake() <-chan struct{}
}

// Options tune a Feed; zero values take the defaults.
type Options struct {
	// Prefix of the Redis keys ("cc112"): one per command center.
	Prefix string
	// StreamLen caps the stream (about 100 000 entries).
	StreamLen int64
}

func (o *Options) setDefaults() {
	if o.Prefix == "" {
		o.Prefix = "cc112"
	}
	if o.StreamLen == 0 {
		o.StreamLen = 100_000
	}
}

// Feed is the leader's side: Run writes the Log's messages to Redis in
// pipelined batches, with the latest positions.
type Feed struct {
	rdb  *redis.Client
	log  *slog.Logger
	opts Options
	src  Log

	mu  sync.Mutex
	pos map[string]json.RawMessage // latest position per unit, not yet written

	sent  atomic.Uint64
	snaps atomic.Uint64
}

// Dial makes a client for url (redis://host:port/db). It does not wait for
// Redis: a server that is down now is retried in the background.
func Dial(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisfeed: REDIS_URL: %w", err)
	}
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = 2 * time.Second
	opt.WriteTimeout = 2 * time.Second
	opt.MaxRetries = 1
	return redis.NewClient(opt), nil
}

// New returns the leader's feed of src.
func New(rdb *redis.Client, src Log, logger *slog.Logger, opts Options) *Feed {
	opts.setDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Feed{rdb: rdb, log: logger, opts: opts, src: src, pos: map[string]json.RawMessage{}}
}

func streamKey(prefix string) string         { return prefix + ":live" }
func positionsKey(prefix string) string      { return prefix + ":positions" }
func snapshotWantedKey(prefix string) string { return prefix + ":snapshot-wanted" }

// SetPosition records a unit's latest position for the shared hash; only
// the newest per unit is written, once per flush.
func (f *Feed) SetPosition(unitID string, data json.RawMessage) {
	f.mu.Lock()
	f.pos[unitID] = data
	f.mu.Unlock()
}

// Sent is how many messages reached Redis; Snapshots how many snapshots.
func (f *Feed) Sent() uint64      { return f.sent.Load() }
func (f *Feed) Snapshots() uint64 { return f.snaps.Load() }

// relayPoll is how often the leader looks for a reader's snapshot request
// and flushes positions when no message wakes it.
const relayPoll = 200 * time.Millisecond

// Run relays the Log to Redis until ctx ends. A batch Redis refuses is
// retried with a growing pause: the messages wait in the hub's buffer, and
// a relay that falls out of it skips ahead (readers see the gap).
func (f *Feed) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	tick := time.NewTicker(relayPoll)
	defer tick.Stop()
	down := false
	var buf [][]byte
	var polled time.Time
	for {
		if time.Since(polled) >= relayPoll && !down {
			polled = time.Now()
			f.serveSnapshotRequest(ctx)
		}
		buf = f.src.Next(buf[:0], 512)
		var pos map[string]json.RawMessage
		f.mu.Lock()
		if len(f.pos) > 0 {
			pos, f.pos = f.pos, map[string]json.RawMessage{}
		}
		f.mu.Unlock()
		var err error
		if len(buf) > 0 || len(pos) > 0 {
			err = f.write(ctx, buf, pos)
		}
		if err == nil && len(buf) > 0 {
			f.src.Done()
			f.sent.Add(uint64(len(buf)))
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !down {
				f.log.Warn("redis: cannot relay the live feed; this instance keeps serving its own clients", "err", err)
			}
			down = true
			f.keepPositions(pos)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		if down {
			f.log.Info("redis: relaying the live feed again")
		}
		down, backoff = false, 100*time.Millisecond
		if len(buf) > 0 {
			continue // more may be waiting
		}
		clear(buf)
		select {
		case <-ctx.Done():
			return
		case <-f.src.Wake():
		case <-tick.C:
		}
	}
}

// keepPositions puts back positions a failed write did not store, unless
// newer ones came meanwhile.
func (f *Feed) keepPositions(pos map[string]json.RawMessage) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, p := range pos {
		if _, newer := f.pos[id]; !newer {
			f.pos[id] = p
		}
	}
}

// serveSnapshotRequest puts a snapshot into the stream when a reader asked
// for one (RequestSnapshot).
func (f *Feed) serveSnapshotRequest(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	n, err := f.rdb.Del(ctx, snapshotWantedKey(f.opts.Prefix)).Result()
	if err != nil || n == 0 {
		return
	}
	if err := f.src.WantSnapshot(); err != nil {
		f.log.Warn("redis: snapshot for a reader", "err", err)
		return
	}
	f.snaps.Add(1)
}

func (f *Feed) write(ctx context.Context, batch [][]byte, pos map[string]json.RawMessage) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := f.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range batch {
			p.XAdd(ctx, &redis.XAddArgs{Stream: streamKey(f.opts.Prefix), MaxLen: f.opts.StreamLen, Approx: true,
				Values: []any{"m", m}})
		}
		if len(pos) > 0 {
			vals := make([]any, 0, 2*len(pos))
			for id, data := range pos {
				vals = append(vals, id, []byte(data))
			}
			p.HSet(ctx, positionsKey(f.opts.Prefix), vals...)
		}
		return nil
	})
	return err
}

// Positions reads the shared latest positions, by unit id.
func Positions(ctx context.Context, rdb *redis.Client, prefix string) (map[string]json.RawMessage, error) {
	if prefix == "" {
		prefix = "cc112"
	}
	m, err := rdb.HGetAll(ctx, positionsKey(prefix)).Result()
	if err != nil {
		return nil, fmt.Errorf("redisfeed: positions: %w", err)
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = json.RawMessage(v)
	}
	return out, nil
}
