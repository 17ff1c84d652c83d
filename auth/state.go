package auth

import (
	"encoding/json"
	"fmt"
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
}

type sessionPayload struct {
	TokenHash string    `json:"token_hash"`
	Username  string    `json:"username"`
	ExpiresAt time.Time `json:"expires_at"`
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

// state is what the appliers build; read it under the engine's read lock.
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

func decodeEvent[T any](ev cc112.Event) (T, error) {
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		return v, fmt.Errorf("decode %s payload: %w", ev.Type, err)
	}
	return v, nil
}

// appliers registers the event types with the engine. They never publish:
// accounts and the audit are not part of the live feed.
func (st *state) appliers() map[string]dispatch.Applier {
	return map[string]dispatch.Applier{
		cc112.EvUserSaved: func(ev cc112.Event, _ func(string, any)) error {
			p, err := decodeEvent[userPayload](ev)
			if err != nil {
				return err
			}
			u := st.users[p.Username]
			if u == nil {
				u = &User{Username: p.Username, CreatedAt: ev.At}
				st.users[p.Username] = u
			}
			u.Role, u.UnitID, u.Agency, u.UpdatedAt = p.Role, p.UnitID, p.Agency, ev.At
			if p.Hash != "" {
				u.hash = p.Hash
			}
			return nil
		},
		cc112.EvSessionOpened: func(ev cc112.Event, _ func(string, any)) error {
			p, err := decodeEvent[sessionPayload](ev)
			if err != nil {
				return err
			}
			st.pruneSessions(ev.At)
			st.sessions[p.TokenHash] = session{Username: p.Username, Expires: p.ExpiresAt}
			return nil
		},
		cc112.EvSessionRevoked: func(ev cc112.Event, _ func(string, any)) error {
			p, err := decodeEvent[revokePayload](ev)
			if err != nil {
				return err
			}
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
		},
		cc112.EvDeviceSaved: func(ev cc112.Event, _ func(string, any)) error {
			p, err := decodeEvent[devicePayload](ev)
			if err != nil {
				return err
			}
			st.devices[p.DeviceID] = &Device{DeviceID: p.DeviceID, UnitID: p.UnitID, CreatedAt: ev.At, hash: p.SecretHash}
			return nil
		},
		cc112.EvAuditRecorded: func(ev cc112.Event, _ func(string, any)) error {
			e, err := decodeEvent[Entry](ev)
			if err != nil {
				return err
			}
			e.Seq = ev.Seq
			st.appendAudit(e)
			return nil
		},
	}
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
