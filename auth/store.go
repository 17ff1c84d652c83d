package auth

import (
	"context"
	"crypto/subtle"
	"regexp"
	"time"

	"cc112"
	"cc112/dispatch"
)

// Config tunes a Store. Zero values take the defaults.
type Config struct {
	Hash HashParams
	// TokenTTL is how long a login lasts (default 12 h: one shift).
	TokenTTL time.Duration
	// KioskTTL is how long a wall's session lasts without renewal
	// (default 14 days); every renewal starts it again (Store.Renew).
	KioskTTL time.Duration
	// MaxAudit is how many audit entries are kept in memory for queries
	// (default 200 000); every entry stays in the journal.
	MaxAudit int
	// HashConcurrency bounds simultaneous password hashes, so that a login
	// flood cannot take all memory and CPU (default 2).
	HashConcurrency int
}

// Store is the accounts, sessions, devices and audit log. Build it with
// New and pass it to dispatch.New.
type Store struct {
	cfg   Config
	st    *state
	eng   *dispatch.Engine
	rec   *recorder
	hashs chan struct{}
	dummy string // a hash checked for unknown users, so timing does not tell them apart
	watch watches
}

// New returns a Store that no engine has registered yet.
func New(cfg Config) *Store {
	if cfg.Hash.Memory == 0 {
		cfg.Hash = DefaultHashParams()
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.KioskTTL <= 0 {
		cfg.KioskTTL = 14 * 24 * time.Hour
	}
	if cfg.MaxAudit <= 0 {
		cfg.MaxAudit = 200_000
	}
	if cfg.HashConcurrency <= 0 {
		cfg.HashConcurrency = 2
	}
	dummy, _ := hashPassword("not a password", cfg.Hash)
	return &Store{cfg: cfg, st: newState(cfg.MaxAudit), hashs: make(chan struct{}, cfg.HashConcurrency), dummy: dummy}
}

// Register adds the store's event types to the engine (pass the store to
// dispatch.New), keeps the engine and starts the audit writer. Call Close
// when done.
func (s *Store) Register(r *dispatch.Registry) {
	s.st.register(r)
	s.eng = r.Engine()
	s.rec = newRecorder(s.eng)
}

// Close flushes pending audit entries and stops the writer.
func (s *Store) Close() {
	s.stopWatching()
	if s.rec != nil {
		s.rec.close()
	}
}

func (s *Store) now() time.Time { return s.eng.Clock().Now().UTC() }

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// NewUser is what `dispatchd user add` and the admin API give.
type NewUser struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     Role   `json:"role"`
	UnitID   string `json:"unit_id,omitempty"`
	Agency   string `json:"agency,omitempty"`
}

func (s *Store) validate(n NewUser) error {
	if !usernameRe.MatchString(n.Username) {
		return cc112.Errorf(cc112.EInvalid, "username must be 2-64 lowercase letters, digits, '.', '_' or '-'")
	}
	if !n.Role.Valid() {
		_, err := ParseRole(string(n.Role))
		return err
	}
	switch {
	case n.Role != UnitRole && n.UnitID != "":
		return cc112.Errorf(cc112.EInvalid, "only unit users have a unit_id")
	case n.Role == Agency && n.Agency == "":
		return cc112.Errorf(cc112.EInvalid, "an agency user needs agency")
	case n.Role != Agency && n.Role != Dispatcher && n.Agency != "":
		// A dispatcher's agency binds its desk to that agency's units.
		return cc112.Errorf(cc112.EInvalid, "only agency users and agency-bound dispatchers have an agency")
	}
	if err := cc112.CheckText("agency", n.Agency, 64); err != nil {
		return err
	}
	if err := cc112.CheckText("unit_id", n.UnitID, 64); err != nil {
		return err
	}
	if n.UnitID != "" {
		if _, err := s.eng.Unit(n.UnitID); err != nil {
			return err
		}
	}
	return nil
}

// AddUser creates a user; by is who did it (for the audit). It refuses an
// existing username. key (an Idempotency-Key, optional) makes a retry with
// the same fingerprint replay the first answer; fingerprint must not hold
// the password (the journal keeps it): a replay checks the password against
// the user's hash instead, and a different one is a conflict.
func (s *Store) AddUser(ctx context.Context, n NewUser, key, fingerprint string, by Principal, addr string) (User, error) {
	if len(n.Password) < MinPasswordLen {
		return User{}, cc112.Errorf(cc112.EInvalid, "password must have at least %d characters", MinPasswordLen)
	}
	return s.addUser(ctx, n, key, fingerprint, by, addr)
}

func (s *Store) addUser(ctx context.Context, n NewUser, key, fingerprint string, by Principal, addr string) (User, error) {
	if err := s.validate(n); err != nil {
		return User{}, err
	}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	ran := false
	out, err := dispatch.Run(ctx, s.eng, key, fingerprint, func(tx *dispatch.Tx) (User, error) {
		ran = true
		if _, ok := s.st.users[n.Username]; ok {
			return User{}, cc112.Errorf(cc112.EConflict, "user %q exists", n.Username)
		}
		tx.Emit(cc112.EvUserSaved, userPayload{Username: n.Username, Role: n.Role, UnitID: n.UnitID, Agency: n.Agency, Hash: hash})
		tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionUserSaved, User: by.Username, Role: by.Role, Addr: addr, Target: n.Username})
		u := *s.st.users[n.Username]
		u.hash = "" // the answer never holds it
		return u, nil
	})
	if err != nil {
		return User{}, err
	}
	if !ran {
		same, err := s.samePassword(ctx, n.Username, n.Password)
		if err != nil {
			return User{}, err
		}
		if !same {
			return User{}, cc112.Errorf(cc112.EConflict, "Idempotency-Key %q was used for a different request", key).Because(cc112.RKeyReused)
		}
	}
	return out, nil
}

// samePassword checks password against username's current hash.
func (s *Store) samePassword(ctx context.Context, username, password string) (bool, error) {
	var hash string
	s.eng.Read(func() {
		if u := s.st.users[username]; u != nil {
			hash = u.hash
		}
	})
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashs }()
	return hash != "" && checkPassword(hash, password), nil
}

// SetPassword changes a password and ends every session of the user.
func (s *Store) SetPassword(ctx context.Context, username, password string, by Principal, addr string) error {
	if len(password) < MinPasswordLen {
		return cc112.Errorf(cc112.EInvalid, "password must have at least %d characters", MinPasswordLen)
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	_, err = dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		u, ok := s.st.users[username]
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "no user %q", username)
		}
		tx.Emit(cc112.EvUserSaved, userPayload{Username: u.Username, Role: u.Role, UnitID: u.UnitID, Agency: u.Agency, Hash: hash})
		tx.Emit(cc112.EvSessionRevoked, revokePayload{Username: username})
		tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionUserSaved, User: by.Username, Role: by.Role, Addr: addr, Target: username})
		return nil, nil
	})
	return err
}

// Users lists the accounts (without hashes).
func (s *Store) Users() []User {
	var out []User
	s.eng.Read(func() { out = s.st.userList() })
	return out
}

// hash runs argon2id under the concurrency bound.
func (s *Store) hash(ctx context.Context, password string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashs }()
	return hashPassword(password, s.cfg.Hash)
}

func (s *Store) acquire(ctx context.Context) error {
	select {
	case s.hashs <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Session is the answer to a successful login. Token is shown once.
type Session struct {
	Token     string    `json:"token"`
	Role      Role      `json:"role"`
	UnitID    string    `json:"unit_id,omitempty"`
	Agency    string    `json:"agency,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Login checks a password and opens a session. Both outcomes are audited,
// in the same journal write as the session itself. A wrong username and a
// wrong password give the same error and take the same time.
func (s *Store) Login(ctx context.Context, username, password, addr string) (Session, error) {
	var u User
	var found bool
	s.eng.Read(func() {
		if p, ok := s.st.users[username]; ok {
			u, found = *p, true
			u.hash = p.hash
		}
	})
	if err := s.acquire(ctx); err != nil {
		return Session{}, err
	}
	hash := s.dummy
	if found {
		hash = u.hash
	}
	ok := checkPassword(hash, password) && found
	<-s.hashs
	if !ok {
		entry := Entry{Action: ActionLoginFailed, User: auditName(username), Addr: addr}
		if _, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
			entry.At = tx.Now()
			tx.Emit(cc112.EvAuditRecorded, entry)
			return nil, nil
		}); err != nil {
			return Session{}, err
		}
		return Session{}, cc112.Errorf(cc112.EUnauthenticated, "wrong username or password").Because(cc112.RLoginFailed)
	}
	token, err := newSecret()
	if err != nil {
		return Session{}, err
	}
	var out Session
	_, err = dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		cur, ok := s.st.users[username]
		if !ok || cur.hash != u.hash {
			return nil, cc112.Errorf(cc112.EUnauthenticated, "wrong username or password").Because(cc112.RLoginFailed) // changed meanwhile
		}
		exp := tx.Now().Add(s.ttl(cur.Role))
		unitID, shiftUnit := cur.UnitID, ""
		if cur.Role == UnitRole {
			// A crew member logs in for the shift the roster names them
			// on: bound to that unit until the shift ends. A unit account
			// without a fixed unit and without a shift now cannot log in.
			if sh, ok := tx.State().ShiftOf(username, tx.Now()); ok {
				unitID, shiftUnit, exp = sh.UnitID, sh.UnitID, minTime(exp, sh.To)
			} else if cur.UnitID == "" {
				tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionLoginFailed, User: username, Role: cur.Role, Addr: addr, Target: "no shift"})
				return nil, cc112.Errorf(cc112.EForbidden, "%s is on no unit's roster now: a crew account logs in for its shift", username)
			}
		}
		tx.Emit(cc112.EvSessionOpened, sessionPayload{TokenHash: secretHash(token), Username: username, ExpiresAt: exp, UnitID: shiftUnit})
		tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionLogin, User: username, Role: cur.Role, Addr: addr, Target: shiftUnit})
		out = Session{Token: token, Role: cur.Role, UnitID: unitID, Agency: cur.Agency, ExpiresAt: exp}
		return nil, nil
	})
	if err != nil {
		return Session{}, err
	}
	return out, nil
}

// auditName keeps what a failed login typed as a username out of the audit
// when it cannot be one (people type passwords into the username field).
func auditName(username string) string {
	if usernameRe.MatchString(username) {
		return username
	}
	return "(invalid)"
}

// Authenticate returns the principal of a token, or EUnauthenticated.
func (s *Store) Authenticate(token string) (Principal, error) {
	if token == "" {
		return Principal{}, cc112.Errorf(cc112.EUnauthenticated, "log in first: no token given")
	}
	h := secretHash(token)
	now := s.now()
	var p Principal
	var ok bool
	s.eng.Read(func() {
		sess, found := s.st.sessions[h]
		if !found || !now.Before(sess.Expires) {
			return
		}
		if u := s.st.users[sess.Username]; u != nil {
			p, ok = u.principal(), true
			if sess.UnitID != "" {
				p.UnitID = sess.UnitID // the unit of the shift it logged in for
			}
		}
	})
	if !ok {
		return Principal{}, cc112.Errorf(cc112.EUnauthenticated, "token unknown, expired or revoked: log in again").Because(cc112.RSessionEnded)
	}
	return p, nil
}

// ttl is how long a new session of role lasts.
func (s *Store) ttl(r Role) time.Duration {
	if r == Wall {
		return s.cfg.KioskTTL
	}
	return s.cfg.TokenTTL
}

// Renew extends a wall's session to a full KioskTTL from now and returns
// its new expiry; other roles' sessions end when their shift does
// (ok false). It writes to the journal at most once a day per wall: a
// session with more than KioskTTL minus a day left is not renewed yet.
func (s *Store) Renew(ctx context.Context, token string) (expires time.Time, ok bool, err error) {
	h := secretHash(token)
	due := false
	s.eng.Read(func() {
		sess, found := s.st.sessions[h]
		u := s.st.users[sess.Username]
		expires, ok = sess.Expires, found && u != nil && u.Role == Wall
		due = !found || ok && sess.Expires.Sub(s.now()) <= s.cfg.KioskTTL-24*time.Hour
	})
	if !due {
		return expires, ok, nil // most calls: nothing to write
	}
	_, err = dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		sess, found := s.st.sessions[h]
		if !found || !tx.Now().Before(sess.Expires) {
			return nil, cc112.Errorf(cc112.EUnauthenticated, "token unknown, expired or revoked: log in again")
		}
		u := s.st.users[sess.Username]
		if u == nil || u.Role != Wall {
			expires = sess.Expires
			return nil, nil
		}
		ok = true
		expires = sess.Expires
		if sess.Expires.Sub(tx.Now()) > s.cfg.KioskTTL-24*time.Hour {
			return nil, nil
		}
		expires = tx.Now().Add(s.cfg.KioskTTL)
		tx.Emit(cc112.EvSessionOpened, sessionPayload{TokenHash: h, Username: sess.Username, ExpiresAt: expires})
		return nil, nil
	})
	return expires, ok, err
}

// RevokeSessions ends every session of a user (an admin taking a wall
// down) and keeps its password.
func (s *Store) RevokeSessions(ctx context.Context, username string, by Principal, addr string) error {
	_, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		if _, ok := s.st.users[username]; !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "no user %q", username)
		}
		tx.Emit(cc112.EvSessionRevoked, revokePayload{Username: username})
		tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionSessionsRevoked, User: by.Username, Role: by.Role, Addr: addr, Target: username})
		return nil, nil
	})
	return err
}

// Logout revokes a token.
func (s *Store) Logout(ctx context.Context, token string, p Principal, addr string) error {
	h := secretHash(token)
	_, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		if _, ok := s.st.sessions[h]; !ok {
			return nil, cc112.Errorf(cc112.EUnauthenticated, "token unknown, expired or revoked").Because(cc112.RSessionEnded)
		}
		tx.Emit(cc112.EvSessionRevoked, revokePayload{TokenHash: h})
		tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionLogout, User: p.Username, Role: p.Role, Addr: addr})
		return nil, nil
	})
	return err
}

// EnsureUser creates a user unless it exists, bypassing the password
// length rule: for demo accounts (username = password = role).
func (s *Store) EnsureUser(ctx context.Context, n NewUser) (created bool, err error) {
	var exists bool
	s.eng.Read(func() { _, exists = s.st.users[n.Username] })
	if exists {
		return false, nil
	}
	if _, err := s.addUser(ctx, n, "", "", Principal{Username: "dispatchd"}, ""); err != nil {
		return false, err
	}
	return true, nil
}

var deviceRe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// RegisterDevice binds a tracker device id to a unit and returns its new
// secret, shown once. Registering an existing device replaces its secret.
// With key (an Idempotency-Key), a retry of the same request mints no
// second secret: it returns "" (the secret is never journaled in clear, so
// it cannot be shown again; register anew, without the key, to replace it).
func (s *Store) RegisterDevice(ctx context.Context, deviceID, unitID, key, fingerprint string, by Principal, addr string) (string, error) {
	if !deviceRe.MatchString(deviceID) {
		return "", cc112.Errorf(cc112.EInvalid, "device_id must be 1-64 letters, digits, '.', '_' or '-'")
	}
	if _, err := s.eng.Unit(unitID); err != nil {
		return "", err
	}
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	minted := false
	_, err = dispatch.Run(ctx, s.eng, key, fingerprint, func(tx *dispatch.Tx) (any, error) {
		tx.Emit(cc112.EvDeviceSaved, devicePayload{DeviceID: deviceID, UnitID: unitID, SecretHash: secretHash(secret)})
		tx.Emit(cc112.EvAuditRecorded, Entry{At: tx.Now(), Action: ActionDeviceSaved, User: by.Username, Role: by.Role, Addr: addr, Target: deviceID})
		minted = true
		return nil, nil
	})
	if err != nil || !minted {
		return "", err
	}
	return secret, nil
}

// Devices lists the registered trackers (without secrets).
func (s *Store) Devices() []Device {
	var out []Device
	s.eng.Read(func() {
		for _, d := range s.st.devices {
			out = append(out, *d)
		}
	})
	return out
}

// AuthenticateDevice checks a tracker's secret and returns its unit id.
func (s *Store) AuthenticateDevice(deviceID, secret string) (string, error) {
	want := ""
	unit := ""
	s.eng.Read(func() {
		if d := s.st.devices[deviceID]; d != nil {
			want, unit = d.hash, d.UnitID
		}
	})
	got := secretHash(secret)
	if want == "" {
		want = secretHash("no such device") // compare anyway: same time for unknown devices
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 || unit == "" || secret == "" {
		return "", cc112.Errorf(cc112.EUnauthenticated, "unknown device or wrong secret")
	}
	return unit, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
