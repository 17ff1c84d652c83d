// Package redisfeed fans the live feed out between dispatchd instances
// through Redis (go-redis): the leader appends every numbered live message
// to a Redis stream, any instance reads them in order, and the latest unit
// positions are kept in a Redis hash. Redis is a relay, not a store: when
// it is away the leader keeps working alone, counts what it could not
// relay and reconnects by itself; a reader that sees a seq gap re-syncs.
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

// Message is one live feed message as the leader numbered it: consecutive
// Seq within an Epoch (DESIGN.md §4).
type Message struct {
	Epoch string          `json:"epoch"`
	Seq   uint64          `json:"seq"`
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
}

// Options tune a Feed; zero values take the defaults.
type Options struct {
	// Prefix of the Redis keys ("cc112"): one per command center.
	Prefix string
	// Queue is how many messages may wait for Redis (8192); beyond it they
	// are dropped and counted, and readers re-sync on the gap.
	Queue int
	// StreamLen caps the stream (about 100 000 entries).
	StreamLen int64
}

// Feed is the leader's side: Publish (a dispatch.Publisher) numbers and
// queues; Run writes the queue to Redis in pipelined batches.
type Feed struct {
	rdb   *redis.Client
	log   *slog.Logger
	opts  Options
	epoch string

	mu  sync.Mutex
	seq uint64
	q   chan Message
	pos map[string]json.RawMessage // latest position per unit, not yet written

	dropped atomic.Uint64
	sent    atomic.Uint64
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

// New returns the leader's feed for epoch.
func New(rdb *redis.Client, epoch string, logger *slog.Logger, opts Options) *Feed {
	if opts.Prefix == "" {
		opts.Prefix = "cc112"
	}
	if opts.Queue == 0 {
		opts.Queue = 8192
	}
	if opts.StreamLen == 0 {
		opts.StreamLen = 100_000
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Feed{rdb: rdb, log: logger, opts: opts, epoch: epoch, q: make(chan Message, opts.Queue), pos: map[string]json.RawMessage{}}
}

func streamKey(prefix string) string    { return prefix + ":live" }
func positionsKey(prefix string) string { return prefix + ":positions" }

// Publish numbers a change and queues it. It never blocks (the engine
// calls it under its write lock): a full queue drops the message.
func (f *Feed) Publish(name string, data any) {
	body, err := json.Marshal(data)
	if err != nil {
		body = []byte("null")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	select {
	case f.q <- Message{Epoch: f.epoch, Seq: f.seq, Event: name, Data: body}:
	default:
		f.dropped.Add(1)
	}
}

// SetPosition records a unit's latest position for the shared hash; only
// the newest per unit is written, once per flush.
func (f *Feed) SetPosition(unitID string, data json.RawMessage) {
	f.mu.Lock()
	f.pos[unitID] = data
	f.mu.Unlock()
}

// Dropped is how many messages could not be relayed.
func (f *Feed) Dropped() uint64 { return f.dropped.Load() }

// Sent is how many messages reached Redis.
func (f *Feed) Sent() uint64 { return f.sent.Load() }

// Run relays queued messages until ctx ends. A batch Redis refuses is
// dropped (readers see the gap and re-sync) and Redis is retried with a
// growing pause, so a long outage costs memory for one queue, no more.
func (f *Feed) Run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	down := false
	for {
		var batch []Message
		select {
		case <-ctx.Done():
			return
		case m := <-f.q:
			batch = append(batch, m)
		case <-tick.C:
		}
		for len(batch) < 512 {
			select {
			case m := <-f.q:
				batch = append(batch, m)
				continue
			default:
			}
			break
		}
		var pos map[string]json.RawMessage
		f.mu.Lock()
		if len(f.pos) > 0 {
			pos, f.pos = f.pos, map[string]json.RawMessage{}
		}
		f.mu.Unlock()
		if len(batch) == 0 && len(pos) == 0 {
			continue
		}
		err := f.write(ctx, batch, pos)
		if err == nil {
			if down {
				f.log.Info("redis: relaying the live feed again", "dropped_total", f.dropped.Load())
			}
			down, backoff = false, 100*time.Millisecond
			f.sent.Add(uint64(len(batch)))
			continue
		}
		f.dropped.Add(uint64(len(batch)))
		if !down {
			f.log.Warn("redis: cannot relay the live feed; this instance keeps serving its own clients", "err", err)
		}
		down = true
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
}

func (f *Feed) write(ctx context.Context, batch []Message, pos map[string]json.RawMessage) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := f.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range batch {
			raw, _ := json.Marshal(m)
			p.XAdd(ctx, &redis.XAddArgs{Stream: streamKey(f.opts.Prefix), MaxLen: f.opts.StreamLen, Approx: true,
				Values: []any{"m", raw}})
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

// seqNow is the last seq handed out.
func (f *Feed) seqNow() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}
