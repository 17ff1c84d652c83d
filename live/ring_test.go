package live

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

func TestRingTrim(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	frame := make([]byte, 100)
	per := len(frame) + entryOverhead
	for _, tc := range []struct {
		name      string
		events    int
		spacing   time.Duration
		minEvents int
		minAge    time.Duration
		maxBytes  int
		wantN     int
	}{
		{"young events are kept beyond the count", 50, time.Second, 10, time.Minute, 0, 50},
		{"old events are kept up to the count", 50, time.Minute, 10, time.Second, 0, 10},
		{"age and count both hold", 100, time.Second, 10, 30 * time.Second, 0, 31},
		{"the byte bound wins over both", 100, time.Second, 80, time.Hour, 20 * per, 20},
		{"never below one event", 5, time.Second, 10, time.Hour, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r ring
			now := t0
			for k := 1; k <= tc.events; k++ {
				now = t0.Add(time.Duration(k) * tc.spacing)
				r.push(uint64(k), now, frame, nil)
				r.trim(now, tc.minEvents, tc.minAge, tc.maxBytes)
			}
			if r.n != tc.wantN {
				t.Fatalf("holds %d events, want %d", r.n, tc.wantN)
			}
			if want := uint64(tc.events - tc.wantN + 1); r.first != want {
				t.Errorf("oldest seq %d, want %d", r.first, want)
			}
			if r.bytes != r.n*per {
				t.Errorf("counts %d bytes for %d events", r.bytes, r.n)
			}
		})
	}
}

func TestRingAfter(t *testing.T) {
	var r ring
	now := time.Now()
	for k := 1; k <= 3000; k++ { // grows past its first size and wraps
		f := []byte(fmt.Sprint(k))
		r.push(uint64(k), now, f, nil)
		r.trim(now, 1500, -1, 0)
	}
	for _, tc := range []struct {
		since uint64
		has   bool
		want  []string
	}{
		{3000, true, nil},
		{2998, true, []string{"2999", "3000"}},
		{1500, true, []string{"1501", "1502", "1503"}},
		{1499, false, nil},
		{1, false, nil},
		{3001, false, nil},
	} {
		if got := r.has(tc.since, 3000); got != tc.has {
			t.Errorf("has(%d) = %v, want %v", tc.since, got, tc.has)
		}
		if !tc.has {
			continue
		}
		got := r.after(nil, tc.since, 3, nil)
		if len(got) != len(tc.want) {
			t.Fatalf("after(%d) = %d frames, want %v", tc.since, len(got), tc.want)
		}
		for k := range got {
			if string(got[k]) != tc.want[k] {
				t.Errorf("after(%d)[%d] = %s, want %s", tc.since, k, got[k], tc.want[k])
			}
		}
	}
}

func TestTextFrame(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536, 70000} {
		body := bytes.Repeat([]byte("a"), n)
		f := textFrame([]byte("{"), body, []byte("}"))
		if f[0] != 0x81 {
			t.Fatalf("%d: first byte %#x, want FIN|text", n, f[0])
		}
		if p := framePayload(f); len(p) != n+2 || p[0] != '{' || p[len(p)-1] != '}' {
			t.Errorf("%d: payload of %d bytes", n, len(p))
		}
		if len(f) != frameHeaderSize(n+2)+n+2 {
			t.Errorf("%d: frame of %d bytes", n, len(f))
		}
	}
}
