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

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute, 4, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if b, _ := l.Blocked("u"); b {
			t.Fatalf("blocked after %d failures", i)
		}
		l.Fail("u")
	}
	b, wait := l.Blocked("u")
	if !b || wait != time.Minute {
		t.Fatalf("after 3 failures: blocked=%v wait=%v", b, wait)
	}
	now = now.Add(59 * time.Second)
	if b, wait := l.Blocked("u"); !b || wait != time.Second {
		t.Fatalf("59 s later: blocked=%v wait=%v", b, wait)
	}
	now = now.Add(time.Second)
	if b, _ := l.Blocked("u"); b {
		t.Fatal("still blocked after the window")
	}
	// Bounded: a flood of keys never grows past Cap.
	for i := 0; i < 1000; i++ {
		l.Fail(string(rune('a'+i%26)) + time.Duration(i).String())
	}
	if l.Len() > 4 {
		t.Fatalf("limiter holds %d keys, cap 4", l.Len())
	}
	l.Fail("v")
	l.Reset("v")
	if l.Len() > 4 {
		t.Fatal("reset grew the map")
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
