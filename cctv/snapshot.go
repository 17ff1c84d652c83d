package cctv

import (
	"encoding/json"

	"cc112/dispatch"
)

var _ dispatch.Snapshotter = (*Views)(nil)

// viewsSnapshot is the audit in a checkpoint: the views by start; byID is
// rebuilt from it.
type viewsSnapshot struct {
	Views []*View `json:"views"`
}

// Snapshot is the audit's state (under the engine's read lock).
func (vs *Views) Snapshot() any { return viewsSnapshot{Views: vs.list} }

// Restore decodes a Snapshot; installing it replaces the audit.
func (vs *Views) Restore(data json.RawMessage) (func(), error) {
	var s viewsSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	return func() {
		vs.list = s.Views
		vs.byID = make(map[string]*View, len(s.Views))
		for _, v := range s.Views {
			vs.byID[v.ID] = v
		}
	}, nil
}
