package alerts

import (
	"encoding/json"

	"cc112"
	"cc112/dispatch"
)

var _ dispatch.Snapshotter = (*Service)(nil)

// alertsSnapshot is the alerts in a checkpoint, in the order raised; the
// maps by id and by open condition are rebuilt from it.
type alertsSnapshot struct {
	Alerts []*cc112.Alert `json:"alerts"`
}

// Snapshot copies the alerts' state (under the engine's read lock).
func (s *Service) Snapshot() any {
	out := alertsSnapshot{Alerts: make([]*cc112.Alert, len(s.order))}
	for i, a := range s.order {
		out.Alerts[i] = a.Clone()
	}
	return out
}

// Restore decodes a Snapshot; installing it replaces the alerts.
func (s *Service) Restore(data json.RawMessage) (func(), error) {
	var snap alertsSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	return func() {
		s.order = snap.Alerts
		s.alerts = make(map[string]*cc112.Alert, len(snap.Alerts))
		s.open = map[string]*cc112.Alert{}
		for _, a := range snap.Alerts {
			s.alerts[a.ID] = a
			if a.Open() {
				s.open[a.Key] = a
			}
		}
	}, nil
}
