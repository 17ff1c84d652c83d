package dispatch

import (
	"context"
	"encoding/json"
	"time"
)

// keyRecord remembers the answer to a command sent with an Idempotency-Key.
// It is journaled in the same batch as the command's events, so a retry
// after a crash finds it exactly when the command itself survived.
type keyRecord struct {
	Key         string
	Fingerprint string
	Result      json.RawMessage
	At          time.Time
	durable     chan struct{} // closed once the record is in the journal
}

type keyPayload struct {
	Key         string          `json:"key"`
	Fingerprint string          `json:"fingerprint"`
	Result      json.RawMessage `json:"result"`
}

// closedChan is shared by records that came from the journal: already durable.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (e *Engine) applyKey(at time.Time, p keyPayload) {
	durable := closedChan
	if !e.replaying && !e.followed {
		durable = make(chan struct{})
	}
	e.keys[p.Key] = &keyRecord{Key: p.Key, Fingerprint: p.Fingerprint, Result: p.Result, At: at, durable: durable}
	e.keyOrder = append(e.keyOrder, p.Key)
	// Forget keys past their TTL, oldest first; keys arrive in time order.
	for len(e.keyOrder) > 0 {
		old := e.keys[e.keyOrder[0]]
		if old != nil && at.Sub(old.At) < e.cfg.IdempotencyTTL {
			break
		}
		if old != nil && old.Key == e.keyOrder[0] {
			delete(e.keys, e.keyOrder[0])
		}
		e.keyOrder = e.keyOrder[1:]
	}
}

func (e *Engine) waitDurable(ctx context.Context, rec *keyRecord) error {
	select {
	case <-rec.durable:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
