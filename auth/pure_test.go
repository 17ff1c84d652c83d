package auth

import (
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	p := HashParams{Memory: 64, Time: 1, Threads: 1}
	h, err := hashPassword("kata sandi", p)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := hashPassword("kata sandi", p)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if strings.Contains(h, "kata") {
		t.Fatal("hash contains the password")
	}
	tests := []struct {
		hash, pw string
		ok       bool
	}{
		{h, "kata sandi", true},
		{h, "kata sandI", false},
		{h, "", false},
		{"", "kata sandi", false},
		{"$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "x", false}, // absurd cost refused, not run
		{strings.Replace(h, "argon2id", "argon2i", 1), "kata sandi", false},
	}
	for i, tt := range tests {
		if got := checkPassword(tt.hash, tt.pw); got != tt.ok {
			t.Errorf("case %d: checkPassword = %v, want %v", i, got, tt.ok)
		}
	}
}

func TestLoginLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLoginLimiter(LoginLimits{PerPair: 3, PerAddr: 5, PerUser: 4, Window: time.Minute, Cap: 4, Now: func() time.Time { return now }})
	for i := 0; i < 3; i++ {
		a, _ := l.Begin("u", "A")
		if a == nil {
			t.Fatalf("refused after %d failures", i)
		}
		a.Failed()
	}
	if a, wait := l.Begin("u", "A"); a != nil || wait != time.Minute {
		t.Fatalf("after 3 failures: attempt=%v wait=%v", a, wait)
	}
	// Checks under way count: a reserved attempt holds its place.
	b, _ := l.Begin("u", "B")
	if b2, _ := l.Begin("v", "B"); b2 == nil {
		t.Fatal("another user from B refused")
	} else {
		b2.Abandoned()
	}
	// u has 4 failures or checks: a spray. B has a check under way at u,
	// so it waits; C has not failed at u and may try.
	if a, _ := l.Begin("u", "B"); a != nil {
		t.Fatal("an address failing at a sprayed user was let in")
	}
	c, _ := l.Begin("u", "C")
	if c == nil {
		t.Fatal("the owner's address was refused during a spray")
	}
	if alerts := c.Failed(); len(alerts) != 1 || alerts[0].User != "u" || alerts[0].Failures != 5 {
		t.Fatalf("spray at u: alerts %+v", alerts)
	}
	b.Succeeded()
	now = now.Add(59 * time.Second)
	if a, wait := l.Begin("u", "A"); a != nil || wait != time.Second {
		t.Fatalf("59 s later: attempt=%v wait=%v", a, wait)
	}
	now = now.Add(time.Second)
	if a, _ := l.Begin("u", "A"); a == nil {
		t.Fatal("still refused after the window")
	} else {
		a.Succeeded()
	}
	// Bounded: a flood of keys never grows past Cap.
	for i := 0; i < 1000; i++ {
		if a, _ := l.Begin(string(rune('a'+i%26))+time.Duration(i).String(), time.Duration(i).String()); a != nil {
			a.Failed()
		}
	}
	for _, lim := range []*Limiter{l.pair, l.addr, l.user} {
		if lim.Len() > 4 {
			t.Fatalf("limiter holds %d keys, cap 4", lim.Len())
		}
	}
}

// TestViewerPerRole: each role's sight of personal data (docs/security.md).
func TestViewerPerRole(t *testing.T) {
	want := map[Role]string{CallTaker: "callers", Dispatcher: "all", Supervisor: "all", Police: "none", Admin: "none",
		UnitRole: "unit:U1", Agency: "agency:dkp", Role("future"): "none"}
	for r, key := range want {
		p := Principal{Role: r}
		switch r {
		case UnitRole:
			p.UnitID = "U1"
		case Agency:
			p.Agency = "dkp"
		}
		if got := p.Viewer().Key(); got != key {
			t.Errorf("%s sees %q, want %q", r, got, key)
		}
	}
}
