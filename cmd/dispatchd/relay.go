package main

import (
	"context"
	"encoding/json"
	"fmt"

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

// startRedisFeed (with -redis-url, on the writer) relays the engine's changes
// to Redis for other instances and keeps the latest unit positions in a
// shared hash. Redis being down never stops the writer.
//
// Until the live hub (package live) numbers messages itself, the relay
// numbers them with its own epoch (this instance); followers' hubs are to
// ingest these messages and re-sync on a gap (redisfeed.Reader).
func (m *Main) startRedisFeed(bg context.Context) error {
	if m.RedisURL == "" {
		return nil
	}
	rdb, err := redisfeed.Dial(m.RedisURL)
	if err != nil {
		return err
	}
	feed := redisfeed.New(rdb, fmt.Sprintf("%s-%d", m.Instance, m.Clock.Now().UnixNano()), m.Logger, redisfeed.Options{})
	m.publishers = append(m.publishers, feed)
	m.Engine.SetPublisher(m.publishers)
	m.Engine.SetPositionSink(chainSink(m.positionSink, func(f dispatch.PositionFix) {
		raw, _ := json.Marshal(map[string]any{"location": f.Location, "position_at": f.At, "heading": f.Heading, "speed": f.Speed})
		feed.SetPosition(f.UnitID, raw)
	}))
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer rdb.Close()
		feed.Run(bg)
	}()
	m.Logger.Info("relaying the live feed through Redis")
	return nil
}

func chainSink(a, b func(dispatch.PositionFix)) func(dispatch.PositionFix) {
	if a == nil {
		return b
	}
	return func(f dispatch.PositionFix) { a(f); b(f) }
}
