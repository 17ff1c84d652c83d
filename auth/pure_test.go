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
