package redisfeed

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// Reader receives the relayed feed on an instance that does not lead.
type Reader interface {
	// Message is one message, in order, consecutive with the one before.
	Message(m Message)
	// Resync is called when messages were missed (a gap, a new epoch, a
	// reconnection): the reader must start again from a fresh snapshot
	// (its clients get one) and then continues with the next Message.
	Resync()
}

// Subscribe reads the stream from now on until ctx ends, reconnecting by
// itself when Redis goes away.
func Subscribe(ctx context.Context, rdb *redis.Client, prefix string, logger *slog.Logger, r Reader) {
	if prefix == "" {
		prefix = "cc112"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var (
		lastID    = "$" // only what comes after we start
		lastEpoch string
		lastSeq   uint64
		backoff   = 100 * time.Millisecond
		down      bool
	)
	for ctx.Err() == nil {
		res, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{streamKey(prefix), lastID}, Count: 512, Block: time.Second}).Result()
		if errors.Is(err, redis.Nil) {
			continue // nothing new within the block time
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !down {
				logger.Warn("redis: live feed relay unreachable; retrying", "err", err)
			}
			down = true
			time.Sleep(backoff)
			backoff = min(backoff*2, 2*time.Second)
			continue
		}
		if down {
			// What was published while we could not read may be lost, and a
			// restarted Redis starts an empty stream: start over.
			logger.Info("redis: live feed relay reachable again")
			down, backoff = false, 100*time.Millisecond
			lastEpoch, lastSeq = "", 0
			r.Resync()
		}
		for _, s := range res {
			for _, xm := range s.Messages {
				lastID = xm.ID
				raw, _ := xm.Values["m"].(string)
				var m Message
				if json.Unmarshal([]byte(raw), &m) != nil {
					continue
				}
				if lastEpoch != "" && (m.Epoch != lastEpoch || m.Seq != lastSeq+1) {
					r.Resync()
				}
				lastEpoch, lastSeq = m.Epoch, m.Seq
				r.Message(m)
			}
		}
	}
}
