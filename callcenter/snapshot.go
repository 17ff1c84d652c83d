package callcenter

import (
	"encoding/json"
	"maps"
	"slices"

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

// Snapshot copies the call center's state (under the engine's read lock).
func (s *Service) Snapshot() any {
	out := serviceSnapshot{
		Calls: make(map[string]*Call, len(s.calls)), ActiveByPhone: maps.Clone(s.activeByPhone),
		ByIncident: cloneLists(s.byIncident), PendingAML: maps.Clone(s.pendingAML),
		Complaints: make(map[string]*cc112.Complaint, len(s.complaints)), ByNumber: maps.Clone(s.byNumber),
		Numbers: s.numbers.Counts(), Open: maps.Clone(s.open), Outbox: maps.Clone(s.outbox),
		ByCitizen: cloneLists(s.byCitizen), ByCategory: cloneLists(s.byCategory), ByMessageID: maps.Clone(s.byMessageID),
		Quarantine: make([]*cc112.MailQuarantined, len(s.quarantine)),
	}
	for id, c := range s.calls {
		out.Calls[id] = c.clone()
	}
	for id, c := range s.complaints {
		out.Complaints[id] = stateCopy(c)
	}
	for i, q := range s.quarantine {
		out.Quarantine[i] = q.Clone()
	}
	return out
}

// stateCopy is Clone without its omissions for clients: the token hash
// and the attachments' bytes (never changed in place) stay.
func stateCopy(c *cc112.Complaint) *cc112.Complaint {
	v := c.Clone()
	v.TokenHash = c.TokenHash
	for i := range v.Attachments {
		v.Attachments[i].Data = c.Attachments[i].Data
	}
	return v
}

// cloneLists copies a map of lists: the applies edit lists in place.
func cloneLists(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = slices.Clone(v)
	}
	return out
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
		for _, c := range s.complaints {
			// JSON wrote the first response message twice: make the
			// complaint's Escalation that message again, as apply did.
			if c.Escalation != nil {
				if m := findMessage(c, c.Escalation.ID); m != nil {
					c.Escalation = m
				}
			}
		}
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
