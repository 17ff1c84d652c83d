package auth

import (
	"sync"
	"time"
)

// Limiter counts failed logins per key (a username, a client address) and
// blocks a key after Max failures within Window, until the window of its
// first failure ends. Memory is bounded: at most Cap keys are tracked; when
// full, expired keys go first, then the key whose window started longest
// ago.
type Limiter struct {
	Max    int
	Window time.Duration
	Cap    int
	Now    func() time.Time

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	n     int
	start time.Time
}

// NewLimiter returns a limiter with the given policy and capacity.
func NewLimiter(max int, window time.Duration, capacity int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Max: max, Window: window, Cap: capacity, Now: now, keys: map[string]*failures{}}
}

// Blocked reports whether key may not try now and, if so, for how long.
func (l *Limiter) Blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.keys[key]
	if f == nil {
		return false, 0
	}
	now := l.Now()
	end := f.start.Add(l.Window)
	if !now.Before(end) {
		delete(l.keys, key)
		return false, 0
	}
	if f.n >= l.Max {
		return true, end.Sub(now)
	}
	return false, 0
}

// Fail counts one failure of key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	f := l.keys[key]
	if f != nil && !now.Before(f.start.Add(l.Window)) {
		f = nil
	}
	if f == nil {
		if len(l.keys) >= l.Cap {
			l.evict(now)
		}
		f = &failures{start: now}
		l.keys[key] = f
	}
	f.n++
}

// Reset forgets key's failures (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	delete(l.keys, key)
	l.mu.Unlock()
}

// Len is how many keys are tracked.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

func (l *Limiter) evict(now time.Time) {
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
