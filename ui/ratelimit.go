package ui

import (
	"math"
	"net"
	"net/http"
	"sync"
	"time"
)

// rateLimiter is a token bucket per client address with bounded memory:
// at most max buckets; when full, buckets that have refilled (idle
// clients) are dropped, then arbitrary ones, so that a flood from many
// addresses costs the attacker fresh buckets, never the server memory or
// honest clients their service.
type rateLimiter struct {
	mu      sync.Mutex
	perSec  float64
	burst   float64
	max     int
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(perMinute, burst, max int) *rateLimiter {
	return &rateLimiter{perSec: float64(perMinute) / 60, burst: float64(burst), max: max, now: time.Now,
		buckets: map[string]*bucket{}}
}

// allow takes a token for key, or says how long until one is there.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.perSec)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.perSec * float64(time.Second))
	return false, wait
}

func (l *rateLimiter) evict(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.perSec >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets { // still full: drop any (map order is random)
		if len(l.buckets) < l.max {
			break
		}
		delete(l.buckets, k)
	}
}

// clientKey is the client's address; IPv6 clients by their /64, which one
// subscriber usually holds whole.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return host
}
