package main

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// Every update must be found again from the latitude a server prints,
// whichever way it formats the float.
func TestUpdateRoundTrip(t *testing.T) {
	for k := 0; k < 200_000; k += 7 {
		lat := latOf(k)
		b, _ := json.Marshal(lat)
		back, err := strconv.ParseFloat(string(b), 64)
		if err != nil || updateOf(back) != k {
			t.Fatalf("update %d: latitude %s reads back as update %d", k, b, updateOf(back))
		}
		if got := updateOf(mustParse(t, strconv.FormatFloat(lat, 'g', -1, 64))); got != k {
			t.Fatalf("update %d: %%g reads back as %d", k, got)
		}
	}
}

func mustParse(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPercentilesNearestRank(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for k, x := range v {
			out[k] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, tc := range []struct {
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{ms(5, 1, 4, 2, 3), 50, 3 * time.Millisecond},
		{ms(5, 1, 4, 2, 3), 99, 5 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{ms(7), 1, 7 * time.Millisecond},
		{nil, 99, 0},
	} {
		if got := percentiles(tc.in, tc.p)[0]; got != tc.want {
			t.Errorf("p%v of %v = %v, want %v", tc.p, tc.in, got, tc.want)
		}
	}
}
