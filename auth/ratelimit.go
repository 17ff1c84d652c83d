package auth

import (
	"sync"
	"time"
)

// Limiter counts failed logins per key (a username, a client address, a
// pair of both) within Window, from the key's first failure. Memory is
// bounded: at most Cap keys are tracked; when full, expired keys go first,
// then the key whose window started longest ago. Its methods are called
// with the LoginLimiter's lock held.
type Limiter struct {
	Max    int
	Window time.Duration
	Cap    int
	Now    func() time.Time

	keys map[string]*failures
}

type failures struct {
	n       int // failures and checks under way
	start   time.Time
	alerted bool // the admin was told this window
}

// NewLimiter returns a limiter with the given policy and capacity.
func NewLimiter(max int, window time.Duration, capacity int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Max: max, Window: window, Cap: capacity, Now: now, keys: map[string]*failures{}}
}

// get returns key's count in the current window (nil if none), forgetting
// an expired one.
func (l *Limiter) get(key string) *failures {
	f := l.keys[key]
	if f != nil && !l.Now().Before(f.start.Add(l.Window)) {
		delete(l.keys, key)
		return nil
	}
	return f
}

func (l *Limiter) count(key string) int {
	if f := l.get(key); f != nil {
		return f.n
	}
	return 0
}

// blocked is how long key must wait (0: it may try).
func (l *Limiter) blocked(key string) time.Duration {
	if f := l.get(key); f != nil && f.n >= l.Max {
		return f.start.Add(l.Window).Sub(l.Now())
	}
	return 0
}

// add counts one failure (or one check under way) of key.
func (l *Limiter) add(key string) {
	f := l.get(key)
	if f == nil {
		if len(l.keys) >= l.Cap {
			l.evict()
		}
		f = &failures{start: l.Now()}
		l.keys[key] = f
	}
	f.n++
}

// give takes back one count of key (a check that did not fail).
func (l *Limiter) give(key string) {
	if f := l.get(key); f != nil {
		if f.n--; f.n <= 0 {
			delete(l.keys, key)
		}
	}
}

func (l *Limiter) reset(key string) { delete(l.keys, key) }

// alert reports, once per window, that key reached Max.
func (l *Limiter) alert(key string) bool {
	f := l.get(key)
	if f == nil || f.n < l.Max || f.alerted {
		return false
	}
	f.alerted = true
	return true
}

// Len is how many keys are tracked.
func (l *Limiter) Len() int { return len(l.keys) }

func (l *Limiter) evict() {
	now := l.Now()
	var oldest string
	var oldestAt time.Time
	for k, f := range l.keys {
		if !now.Before(f.start.Add(l.Window)) {
			delete(l.keys, k)
			continue
		}
		if oldest == "" || f.start.Before(oldestAt) {
			oldest, oldestAt = k, f.start
		}
	}
	if len(l.keys) >= l.Cap && oldest != "" {
		delete(l.keys, oldest)
	}
}

// LoginLimits is the login policy: failures allowed within Window per
// (user, address) and per address before they are refused, and per user
// before the admin is alerted and the addresses that failed at that user
// are refused (never an address that has not failed: nobody can lock an
// account's owner out).
type LoginLimits struct {
	PerPair, PerAddr, PerUser int
	Window                    time.Duration
	Cap                       int // keys tracked per limit (memory bound)
	Now                       func() time.Time
}

// DefaultLoginLimits: 5 per user and address, 20 per address, 20 per user,
// in 15 minutes.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{PerPair: 5, PerAddr: 20, PerUser: 20, Window: 15 * time.Minute, Cap: 10_000}
}

// LoginLimiter applies LoginLimits. A login reserves its attempt before
// the password is checked (Begin), so that concurrent guesses cannot all
// pass the limit while the slow checks run; the reservation stays counted
// when the check fails and is given back otherwise.
type LoginLimiter struct {
	mu               sync.Mutex
	pair, addr, user *Limiter
}

// NewLoginLimiter returns a limiter applying c.
func NewLoginLimiter(c LoginLimits) *LoginLimiter {
	return &LoginLimiter{
		pair: NewLimiter(c.PerPair, c.Window, c.Cap, c.Now),
		addr: NewLimiter(c.PerAddr, c.Window, c.Cap, c.Now),
		user: NewLimiter(c.PerUser, c.Window, c.Cap, c.Now),
	}
}

// LoginAttempt is one reserved password check; end it with exactly one of
// Succeeded, Failed or Abandoned.
type LoginAttempt struct {
	l                *LoginLimiter
	user, addr, pair string
}

// LoginAlert is a spray the admin must hear of: Addr failed at many users,
// or User failed from many addresses.
type LoginAlert struct {
	User, Addr string
	Failures   int
}

// Begin reserves one password check of user from addr, or says how long
// the caller must wait.
func (l *LoginLimiter) Begin(user, addr string) (*LoginAttempt, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	pair := addr + " " + user // an address holds no space
	if wait := l.addr.blocked(addr); wait > 0 {
		return nil, wait
	}
	if wait := l.pair.blocked(pair); wait > 0 {
		return nil, wait
	}
	if l.user.blocked(user) > 0 && l.pair.count(pair) > 0 {
		// A spray at this user: the addresses that failed at it wait.
		return nil, l.user.blocked(user)
	}
	l.addr.add(addr)
	l.pair.add(pair)
	l.user.add(user)
	return &LoginAttempt{l: l, user: user, addr: addr, pair: pair}, 0
}

// Succeeded forgets the pair's failures and gives the reservation back.
func (a *LoginAttempt) Succeeded() { a.release(true) }

// Abandoned gives the reservation back: the password was not judged (the
// journal was unavailable, the client went away).
func (a *LoginAttempt) Abandoned() { a.release(false) }

func (a *LoginAttempt) release(forgetPair bool) {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	if forgetPair {
		a.l.pair.reset(a.pair)
	} else {
		a.l.pair.give(a.pair)
	}
	a.l.addr.give(a.addr)
	a.l.user.give(a.user)
}

// Failed keeps the reservation as a failure and returns the sprays this
// failure revealed (each once per window).
func (a *LoginAttempt) Failed() []LoginAlert {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	var out []LoginAlert
	if a.l.addr.alert(a.addr) {
		out = append(out, LoginAlert{Addr: a.addr, Failures: a.l.addr.count(a.addr)})
	}
	if a.l.user.alert(a.user) {
		out = append(out, LoginAlert{User: a.user, Addr: a.addr, Failures: a.l.user.count(a.user)})
	}
	return out
}
