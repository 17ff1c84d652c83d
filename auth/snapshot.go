package auth

import (
	"encoding/json"
	"slices"
	"time"

	"cc112/dispatch"
)

var _ dispatch.Snapshotter = (*Store)(nil)

// authSnapshot is the accounts, sessions, devices and the audit kept in
// memory, in a checkpoint. The secret hashes are in it, as in the journal.
type authSnapshot struct {
	Users    []snapUser             `json:"users"`
	Sessions map[string]snapSession `json:"sessions"` // by token hash
	Devices  []snapDevice           `json:"devices"`
	Audit    []Entry                `json:"audit"`
}

type snapUser struct {
	User
	Hash string `json:"hash"`
}

type snapSession struct {
	Username string    `json:"username"`
	Expires  time.Time `json:"expires"`
	UnitID   string    `json:"unit_id,omitempty"`
}

type snapDevice struct {
	Device
	Hash string `json:"hash"`
}

// Snapshot copies the store's state (under the engine's read lock).
func (s *Store) Snapshot() any {
	st := s.st
	out := authSnapshot{Sessions: make(map[string]snapSession, len(st.sessions)), Audit: slices.Clone(st.audit)}
	for _, u := range st.users {
		out.Users = append(out.Users, snapUser{User: *u, Hash: u.hash})
	}
	for h, ss := range st.sessions {
		out.Sessions[h] = snapSession(ss)
	}
	for _, d := range st.devices {
		out.Devices = append(out.Devices, snapDevice{Device: *d, Hash: d.hash})
	}
	return out
}

// Restore decodes a Snapshot; installing it replaces the store's state.
func (s *Store) Restore(data json.RawMessage) (func(), error) {
	var snap authSnapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	return func() {
		st := newState(s.st.maxAudit)
		for _, u := range snap.Users {
			v := u.User
			v.hash = u.Hash
			st.users[v.Username] = &v
		}
		for h, ss := range snap.Sessions {
			st.sessions[h] = session(ss)
		}
		for _, d := range snap.Devices {
			v := d.Device
			v.hash = d.Hash
			st.devices[v.DeviceID] = &v
		}
		st.audit = snap.Audit
		*s.st = *st
	}, nil
}
