package redisfeed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Reader receives the relayed feed on an instance that does not lead (the
// live hub's Follower).
type Reader interface {
	// Message takes the next message (a live message's JSON) in stream
	// order. It returns false while the reader is out of step: Subscribe
	// then asks the leader for a snapshot.
	Message(payload []byte) bool
	// Resync says messages may have been lost (Subscribe connected again):
	// the reader must start again from a snapshot.
	Resync()
	// Lost says Redis cannot be read now.
	Lost()
}

// askEvery is how often a reader out of step asks for a snapshot again
// (a request the leader did not serve: no leader yet, or its Redis
// connection down).
const askEvery = 2 * time.Second

// RequestSnapshot asks the leader to put a snapshot into the stream; it
// looks for requests a few times a second.
func RequestSnapshot(ctx context.Context, rdb *redis.Client, prefix string) error {
	if prefix == "" {
		prefix = "cc112"
	}
	if err := rdb.Set(ctx, snapshotWantedKey(prefix), 1, 30*time.Second).Err(); err != nil {
		return fmt.Errorf("redisfeed: request a snapshot: %w", err)
	}
	return nil
}

// Subscribe reads the stream from its current end until ctx ends, asking
// for a snapshot whenever r is out of step, and reconnecting by itself
// when Redis goes away.
func Subscribe(ctx context.Context, rdb *redis.Client, prefix string, logger *slog.Logger, r Reader) {
	if prefix == "" {
		prefix = "cc112"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var (
		lastID    string
		connected bool
		inStep    bool
		askedAt   time.Time
		backoff   = 100 * time.Millisecond
		reported  bool // an outage was logged and told to r
	)
	fail := func(err error) {
		if !reported {
			logger.Warn("redis: live feed relay unreachable; serving this instance's own feed, retrying", "err", err)
			r.Lost()
			reported = true
		}
		connected = false
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
	for ctx.Err() == nil {
		if !connected {
			// A restarted Redis holds a new, empty stream: start at its end.
			id, err := streamEnd(ctx, rdb, prefix)
			if err != nil {
				fail(err)
				continue
			}
			if reported {
				logger.Info("redis: live feed relay reachable again")
			}
			lastID, connected, reported, backoff = id, true, false, 100*time.Millisecond
			r.Resync()
			inStep, askedAt = false, time.Time{}
		}
		if !inStep && time.Since(askedAt) >= askEvery {
			if err := RequestSnapshot(ctx, rdb, prefix); err == nil {
				askedAt = time.Now()
			}
		}
		res, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{streamKey(prefix), lastID}, Count: 512, Block: time.Second}).Result()
		if errors.Is(err, redis.Nil) {
			continue // nothing new within the block time
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			fail(err)
			continue
		}
		for _, s := range res {
			for _, xm := range s.Messages {
				lastID = xm.ID
				raw, _ := xm.Values["m"].(string)
				inStep = r.Message([]byte(raw))
			}
		}
	}
}

// streamEnd is the id of the stream's last entry ("0-0" when empty).
func streamEnd(ctx context.Context, rdb *redis.Client, prefix string) (string, error) {
	last, err := rdb.XRevRangeN(ctx, streamKey(prefix), "+", "-", 1).Result()
	if err != nil {
		return "", err
	}
	if len(last) == 0 {
		return "0-0", nil
	}
	return last[0].ID, nil
}
