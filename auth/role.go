// Package auth holds accounts, roles, sessions, tracker devices and the
// audit log of dispatchd. Its state is journaled through the engine as an
// extension (Store.Register), so users, revocations and the audit survive a
// restart; the package knows nothing of HTTP.
package auth

import (
	"fmt"
	"strings"

	"cc112"
)

// Role is what a user may do. Every user has exactly one.
type Role string

// The roles of a command center (DESIGN.md §1).
const (
	CallTaker  Role = "calltaker"
	Dispatcher Role = "dispatcher"
	UnitRole   Role = "unit"   // a field unit's phone, bound to one unit id
	Agency     Role = "agency" // the complaint team of one agency
	Police     Role = "police" // read-only viewer, never sees callers' identities
	Supervisor Role = "supervisor"
	Admin      Role = "admin"
	// Wall is a read-only kiosk account for a video wall: it sees the
	// console's operational picture (no personal data: a wall is read by
	// anyone in the room) but may not act, and its session renews itself
	// (Store.Renew) so that a wall stays logged in for weeks.
	Wall Role = "wall"
)

// Roles lists every role, in a stable order.
func Roles() []Role {
	return []Role{CallTaker, Dispatcher, UnitRole, Agency, Police, Supervisor, Admin, Wall}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles() {
		if r == k {
			return true
		}
	}
	return false
}

// ParseRole checks a role name given by a person.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", cc112.Errorf(cc112.EInvalid, "unknown role %q (one of %s)", s, roleList())
	}
	return r, nil
}

func roleList() string {
	var b strings.Builder
	for i, r := range Roles() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, r)
	}
	return b.String()
}

// Principal is who made a request: a logged-in user, or a tracker device
// that authenticated with its own secret.
type Principal struct {
	Username string `json:"username"`
	Role     Role   `json:"role"`
	UnitID   string `json:"unit_id,omitempty"`
	Agency   string `json:"agency,omitempty"`
}
