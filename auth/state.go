package auth

import (
	"sort"
	"time"

	"cc112"
	"cc112/dispatch"
)

// User is an account. Hash never leaves the package in JSON.
type User struct {
	Username  string    `json:"username"`
	Role      Role      `json:"role"`
	UnitID    string    `json:"unit_id,omitempty"`
	Agency    string    `json:"agency,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	hash      string
}

func (u *User) principal() Principal {
	return Principal{Username: u.Username, Role: u.Role, UnitID: u.UnitID, Agency: u.Agency}
}

type userPayload struct {
	Username string `json:"username"`
	Role     Role   `json:"role"`
	UnitID   string `json:"unit_id,omitempty"`
	Agency   string `json:"agency,omitempty"`
	Hash     string `json:"password_hash"`
}

type session struct {
	Username string
	Expires  time.Time
	UnitID   string // the unit of the shift a crew member logged in for
}

type sessionPayload struct {
	TokenHash string    `json:"token_hash"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at"`
	// UnitID binds a crew member's session to the unit of its shift (it
	// expires when the shift ends).
	UnitID string `json:"unit_id,omitempty"`
}

// revokePayload revokes one token (TokenHash) or every session of a user
// (Username, on a password change).
type revokePayload struct {
	TokenHash string `json:"token_hash,omitempty"`
	Username  string `json:"username,omitempty"`
}

// Device is a GPS tracker (or the Traccar Client app) reporting for a unit.
type Device struct {
	DeviceID  string    `json:"device_id"`
	UnitID    string    `json:"unit_id"`
	CreatedAt time.Time `json:"created_at"`
	hash      string
}

type devicePayload struct {
	DeviceID   string `json:"device_id"`
	UnitID     string `json:"unit_id"`
	SecretHash string `json:"secret_hash"`
}

// state is what the apply functions build; read it under the engine's read lock.
type state struct {
	users    map[string]*User
	sessions map[string]session // by token hash
	devices  map[string]*Device
	audit    []Entry // newest last, at most maxAudit
	maxAudit int
}

func newState(maxAudit int) *state {
	return &state{users: map[string]*User{}, sessions: map[string]session{}, devices: map[string]*Device{}, maxAudit: maxAudit}
}

// register adds the event types to the engine. They never report a
// change: accounts and the audit are not part of the live feed.
func (st *state) register(r *dispatch.Registry) {
	dispatch.Handle(r, cc112.EvUserSaved, func(f *dispatch.Fold, p userPayload) error {
		u := st.users[p.Username]
		if u == nil {
			u = &User{Username: p.Username, CreatedAt: f.At}
			st.users[p.Username] = u
		}
		u.Role, u.UnitID, u.Agency, u.UpdatedAt = p.Role, p.UnitID, p.Agency, f.At
		if p.Hash != "" {
			u.hash = p.Hash
		}
		return nil
	})
	dispatch.Handle(r, cc112.EvSessionOpened, func(f *dispatch.Fold, p sessionPayload) error {
		st.pruneSessions(f.At)
		st.sessions[p.TokenHash] = session{Username: p.Username, Expires: p.ExpiresAt, UnitID: p.UnitID}
		return nil
	})
	dispatch.Handle(r, cc112.EvSessionRevoked, func(_ *dispatch.Fold, p revokePayload) error {
		if p.TokenHash != "" {
			delete(st.sessions, p.TokenHash)
		}
		if p.Username != "" {
			for h, s := range st.sessions {
				if s.Username == p.Username {
					delete(st.sessions, h)
				}
			}
		}
		return nil
	})
	dispatch.Handle(r, cc112.EvDeviceSaved, func(f *dispatch.Fold, p devicePayload) error {
		st.devices[p.DeviceID] = &Device{DeviceID: p.DeviceID, UnitID: p.UnitID, CreatedAt: f.At, hash: p.SecretHash}
		return nil
	})
	dispatch.Handle(r, cc112.EvAuditRecorded, func(f *dispatch.Fold, e Entry) error {
		e.Seq = f.Seq
		st.appendAudit(e)
		return nil
	})
}

// pruneSessions forgets expired sessions, so memory holds live ones only.
// It runs on the event's time, so replay prunes exactly the same way.
func (st *state) pruneSessions(now time.Time) {
	for h, s := range st.sessions {
		if !now.Before(s.Expires) {
			delete(st.sessions, h)
		}
	}
}

// appendAudit keeps the newest maxAudit entries in memory; older ones stay
// in the journal.
func (st *state) appendAudit(e Entry) {
	if len(st.audit) >= st.maxAudit {
		n := copy(st.audit, st.audit[len(st.audit)-st.maxAudit/2:])
		clear(st.audit[n:])
		st.audit = st.audit[:n]
	}
	st.audit = append(st.audit, e)
}

func (st *state) userList() []User {
	out := make([]User, 0, len(st.users))
	for _, u := range st.users {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}
