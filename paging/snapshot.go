package paging

import (
	"encoding/json"
	"maps"
	"time"

	"cc112"
	"cc112/callcenter"
	"cc112/dispatch"
)

var _ dispatch.Snapshotter = (*Service)(nil)

// pagingSnapshot is paging's state in a checkpoint.
type pagingSnapshot struct {
	Keys     cc112.PushKeysPayload  `json:"keys"`
	Subs     []snapSubscription     `json:"subs"`
	Overdue  map[string]snapOverdue `json:"overdue"` // by dispatch key
	Outbox   map[string]bool        `json:"outbox"`
	Messages []*cc112.Message       `json:"messages"`
}

type snapSubscription struct {
	cc112.PushSubscribedPayload
	At time.Time `json:"at"`
}

type snapOverdue struct {
	Alert    cc112.AckOverdue `json:"alert"`
	SMS      callcenter.SMS   `json:"sms"`
	Attempts int              `json:"attempts"`
	Next     *time.Time       `json:"next,omitempty"`
	Done     bool             `json:"done"`
}

// Snapshot copies paging's state (under the engine's read lock).
func (s *Service) Snapshot() any {
	out := pagingSnapshot{Keys: s.keys, Overdue: make(map[string]snapOverdue, len(s.overdue)), Outbox: maps.Clone(s.outbox),
		Messages: make([]*cc112.Message, len(s.messages))}
	for i, m := range s.messages {
		c := *m
		out.Messages[i] = &c
	}
	for _, x := range s.subs {
		out.Subs = append(out.Subs, snapSubscription{PushSubscribedPayload: x.PushSubscribedPayload, At: x.at})
	}
	for k, o := range s.overdue {
		out.Overdue[k] = snapOverdue{Alert: o.alert, SMS: o.sms, Attempts: o.attempts, Next: o.next, Done: o.done}
	}
	return out
}

// Restore decodes a Snapshot; installing it replaces paging's state.
func (s *Service) Restore(data json.RawMessage) (func(), error) {
	var snap pagingSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	return func() {
		s.keys = snap.Keys
		s.subs = make(map[string]*subscription, len(snap.Subs))
		for _, x := range snap.Subs {
			s.subs[x.Endpoint] = &subscription{PushSubscribedPayload: x.PushSubscribedPayload, at: x.At}
		}
		s.overdue = make(map[string]*overdue, len(snap.Overdue))
		for k, o := range snap.Overdue {
			s.overdue[k] = &overdue{alert: o.Alert, sms: o.SMS, attempts: o.Attempts, next: o.Next, done: o.Done}
		}
		s.outbox = snap.Outbox
		if s.outbox == nil {
			s.outbox = map[string]bool{}
		}
		s.messages = snap.Messages
	}, nil
}
