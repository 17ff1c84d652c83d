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

// Snapshot copies the audit's state (under the engine's read lock).
func (vs *Views) Snapshot() any {
	out := viewsSnapshot{Views: make([]*View, len(vs.list))}
	for i, v := range vs.list { // End replaces EndedAt, never writes through it
		c := *v
		out.Views[i] = &c
	}
	return out
}

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
