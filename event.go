package cc112

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one durable fact in the journal. Seq is strictly increasing and
// consecutive (1, 2, 3, ...) in the journal. Data is the event's JSON payload,
// whose shape depends on Type.
type Event struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

// Journal stores events durably, in order.
//
// Append queues events and returns at once; the channel receives nil once the
// events, and every event queued before them, are durable (fsynced or
// committed), or the error that stopped them. Callers serialise their calls to
// Append (the engine does so under its lock); that order is the journal's
// order. Implementations batch queued events into one commit (group commit).
type Journal interface {
	Append(events []Event) <-chan error
	// Replay calls fn for each stored event with Seq > after, in order.
	Replay(ctx context.Context, after uint64, fn func(Event) error) error
	// LastSeq is the seq of the last durable event, 0 when empty.
	LastSeq() uint64
	// Ping reports whether the journal can take writes (readiness).
	Ping(ctx context.Context) error
	Close() error
}

// CommitWatcher is a journal another process writes that can say when it
// committed (PostgreSQL's LISTEN/NOTIFY), so that a standby following it
// reads at once instead of at its next poll.
type CommitWatcher interface {
	// WatchCommits runs until ctx ends: after each commit by any writer it
	// sends on commits without blocking (one pending signal is enough).
	// listening reports whether it hears commits: false while its
	// connection is down and being re-established (poll meanwhile), true
	// once it listens again (then it also signals, for what it missed).
	WatchCommits(ctx context.Context, commits chan<- struct{}, listening func(bool))
}

// CheckStorable reports whether every journal can hold an event's data as
// is: PostgreSQL's jsonb refuses the escape \u0000 (and a raw NUL is not
// JSON). The engine checks each event before it applies it, so that a
// change no journal can store is refused up front and changes nothing.
func CheckStorable(data []byte) error {
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case 0:
			return fmt.Errorf("%w: a NUL byte in the event data", ErrUnstorable)
		case '\\':
			if i+1 < len(data) && data[i+1] == '\\' {
				i++ // an escaped backslash: what follows is plain text
				continue
			}
			if bytes.HasPrefix(data[i:], []byte(`\u0000`)) {
				return fmt.Errorf("%w: a NUL character (\\u0000) in the event data", ErrUnstorable)
			}
		}
	}
	return nil
}
