package auth

import (
	"encoding/json"
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

func TestRedact(t *testing.T) {
	in := `{"id":"I1","caller":{"name":"Siti","phone":"0812","nik":"3578"},"description":"x",
	  "calls":[{"phone":"0813","caller_name":"Adi","location":{"lat":1,"lon":2}}],"name":"Kamera 1","n":12345678901234567890}`
	out := string(RedactJSON([]byte(in)))
	for _, bad := range []string{"Siti", "0812", "3578", "0813", "Adi", "caller"} {
		if strings.Contains(out, bad) {
			t.Errorf("redacted output still holds %q: %s", bad, out)
		}
	}
	for _, keep := range []string{`"id":"I1"`, `"name":"Kamera 1"`, `"lat":1`, `12345678901234567890`} {
		if !strings.Contains(out, keep) {
			t.Errorf("redaction lost %s: %s", keep, out)
		}
	}
	if got := string(RedactJSON([]byte("{bad"))); got != "null" {
		t.Errorf("invalid JSON gave %s", got)
	}
	type inc struct {
		ID     string            `json:"id"`
		Caller map[string]string `json:"caller"`
	}
	v := inc{ID: "I2", Caller: map[string]string{"phone": "0812"}}
	if got := RedactFor(Dispatcher, "incident.created", v); got.(inc).Caller == nil {
		t.Error("dispatcher lost the caller")
	}
	raw, _ := json.Marshal(RedactFor(Police, "incident.created", v))
	if strings.Contains(string(raw), "0812") || !strings.Contains(string(raw), "I2") {
		t.Errorf("police feed data = %s", raw)
	}
}
