package main

import (
	"context"
	"encoding/json"
	"sync"

	"cc112/dispatch"
	"cc112/redisfeed"
)

// publishers hands each change to several live-feed consumers in order.
type publishers []dispatch.Publisher

func (ps publishers) Publish(name string, data any) {
	for _, p := range ps {
		p.Publish(name, data)
	}
}

// startRedisFeed (with -redis-url, on the writer) relays the live hub's
// numbered messages to Redis, with the hub's own epoch and seqs, so that
// every instance's clients get the same feed; it also keeps the latest unit
// positions in a shared hash. Redis being down never stops the writer.
func (m *Main) startRedisFeed(bg context.Context) error {
	if m.Store.RedisURL == "" {
		return nil
	}
	rdb, err := redisfeed.Dial(m.Store.RedisURL)
	if err != nil {
		return err
	}
	tap := m.Live.Tap()
	feed := redisfeed.New(rdb, tap, m.Logger, redisfeed.Options{})
	m.Engine.SetPositionSink(chainSink(m.positionSink, func(f dispatch.PositionFix) {
		raw, _ := json.Marshal(map[string]any{"location": f.Location, "position_at": f.At, "heading": f.Heading, "speed": f.Speed})
		feed.SetPosition(f.UnitID, raw)
	}))
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer rdb.Close()
		defer tap.Close()
		feed.Run(bg)
	}()
	m.Logger.Info("relaying the live feed through Redis")
	return nil
}

// followRedisFeed (with -redis-url, on a standby) makes the live hub serve
// the leader's feed read from Redis, and the engine the leader's live unit
// positions. Without Redis, or while it is away, the hub serves what the
// standby reads from the journal, in its own epoch. The returned stop
// (promotion) ends following: the hub then leads in a new epoch.
func (m *Main) followRedisFeed(ctx context.Context) (stop func(), err error) {
	if m.Store.RedisURL == "" {
		return func() {}, nil
	}
	rdb, err := redisfeed.Dial(m.Store.RedisURL)
	if err != nil {
		return nil, err
	}
	f := m.Live.Follower(m.Engine.FollowPosition)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(done)
		defer rdb.Close()
		redisfeed.Subscribe(ctx, rdb, "", m.Logger, f)
	}()
	m.Logger.Info("standby: following the leader's live feed through Redis")
	return sync.OnceFunc(func() {
		cancel()
		<-done
		f.Stop()
	}), nil
}

func chainSink(a, b func(dispatch.PositionFix)) func(dispatch.PositionFix) {
	if a == nil {
		return b
	}
	return func(f dispatch.PositionFix) { a(f); b(f) }
}
