package callcenter

import (
	"encoding/json"

	"cc112"
	"cc112/dispatch"
)

var _ dispatch.Snapshotter = (*Service)(nil)

// serviceSnapshot is the call center's state in a checkpoint: every map
// as it is (the indexes too: deriving them again would be a second copy
// of the rules that keep them).
type serviceSnapshot struct {
	Calls         map[string]*Call            `json:"calls"`
	ActiveByPhone map[string]string           `json:"active_by_phone"`
	ByIncident    map[string][]string         `json:"by_incident"`
	PendingAML    map[string]Location         `json:"pending_aml"`
	Complaints    map[string]*cc112.Complaint `json:"complaints"`
	ByNumber      map[string]string           `json:"by_number"`
	Numbers       map[string]int              `json:"numbers"`
	Open          map[string]bool             `json:"open"`
	Outbox        map[string]string           `json:"outbox"`
	ByCitizen     map[string][]string         `json:"by_citizen"`
	ByCategory    map[string][]string         `json:"by_category"`
	ByMessageID   map[string]string           `json:"by_message_id"`
	Quarantine    []*cc112.MailQuarantined    `json:"quarantine"`
}

// Snapshot is the call center's state (under the engine's read lock).
func (s *Service) Snapshot() any {
	return serviceSnapshot{
		Calls: s.calls, ActiveByPhone: s.activeByPhone, ByIncident: s.byIncident, PendingAML: s.pendingAML,
		Complaints: s.complaints, ByNumber: s.byNumber, Numbers: s.numbers.Counts(), Open: s.open, Outbox: s.outbox,
		ByCitizen: s.byCitizen, ByCategory: s.byCategory, ByMessageID: s.byMessageID, Quarantine: s.quarantine,
	}
}

// Restore decodes a Snapshot; installing it replaces the call center's
// state.
func (s *Service) Restore(data json.RawMessage) (func(), error) {
	var snap serviceSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	return func() {
		s.calls = orEmpty(snap.Calls)
		s.activeByPhone = orEmpty(snap.ActiveByPhone)
		s.byIncident = orEmpty(snap.ByIncident)
		s.pendingAML = orEmpty(snap.PendingAML)
		s.complaints = orEmpty(snap.Complaints)
		s.byNumber = orEmpty(snap.ByNumber)
		s.numbers.SetCounts(snap.Numbers)
		s.open = orEmpty(snap.Open)
		s.outbox = orEmpty(snap.Outbox)
		s.byCitizen = orEmpty(snap.ByCitizen)
		s.byCategory = orEmpty(snap.ByCategory)
		s.byMessageID = orEmpty(snap.ByMessageID)
		s.quarantine = snap.Quarantine
	}, nil
}

func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}
