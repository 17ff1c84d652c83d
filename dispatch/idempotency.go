package dispatch

import (
	"context"
	"encoding/json"
	"time"

	"cc112"
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
	if e.mode == writer { // else the record comes from the journal
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

// keyAt is the record of key still remembered at now, or nil. Caller holds mu.
func (e *Engine) keyAt(key string, now time.Time) *keyRecord {
	if key == "" {
		return nil
	}
	if rec, ok := e.keys[key]; ok && now.Sub(rec.At) < e.cfg.IdempotencyTTL {
		return rec
	}
	return nil
}

// replay is the first answer to a command sent again with its key, once
// durable; the key with another request is refused.
func (e *Engine) replay(ctx context.Context, rec *keyRecord, fingerprint string) (json.RawMessage, error) {
	if rec.Fingerprint != fingerprint {
		return nil, cc112.Errorf(cc112.EConflict, "Idempotency-Key %q was used for a different request", rec.Key).Because(cc112.RKeyReused)
	}
	if err := e.waitDurable(ctx, rec); err != nil {
		return nil, err
	}
	return rec.Result, nil
}

// Answered is the stored answer to a command already run with key (ok
// false when the key is new or empty): for a command with a costly step
// before its events (an evidence file written to disk), skipped on a retry.
// The key with another request is refused (conflict, key_reused).
func (e *Engine) Answered(ctx context.Context, key, fingerprint string) (answer json.RawMessage, ok bool, err error) {
	e.mu.Lock()
	rec := e.keyAt(key, e.now())
	e.mu.Unlock()
	if rec == nil {
		return nil, false, nil
	}
	answer, err = e.replay(ctx, rec, fingerprint)
	return answer, err == nil, err
}
