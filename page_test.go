package cc112

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestNewestPagesLikeASortedList walks random lists (ties in time
// included) page by page and expects exactly the sorted list, each item
// once, whatever order the items are offered in.
func TestNewestPagesLikeASortedList(t *testing.T) {
	base := time.Date(2026, 3, 1, 16, 59, 59, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := rng.IntN(40)
		items := make([]PageKey, n)
		for k := range items {
			items[k] = PageKey{At: base.Add(time.Duration(rng.IntN(10)) * time.Second), ID: "x" + strconv.Itoa(k)}
		}
		want := slices.Clone(items)
		slices.SortFunc(want, func(a, b PageKey) int {
			if a.Before(b) {
				return -1
			}
			return 1
		})
		limit := 1 + rng.IntN(7)
		var got []PageKey
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > n+1 {
				t.Fatalf("round %d: paging does not end", round)
			}
			p, err := NewNewest(PageRequest{Limit: limit, Cursor: cursor}, func(k PageKey) PageKey { return k })
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range rng.Perm(n) {
				p.Offer(items[k])
			}
			page := p.Page(func(k PageKey) PageKey { return k })
			if len(page.Items) > limit {
				t.Fatalf("round %d: %d items for limit %d", round, len(page.Items), limit)
			}
			got = append(got, page.Items...)
			if page.NextCursor == "" {
				break
			}
			if len(page.Items) != limit {
				t.Fatalf("round %d: a short page (%d of %d) with a next cursor", round, len(page.Items), limit)
			}
			cursor = page.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (limit %d):\n got %v\nwant %v", round, limit, got, want)
		}
	}
}

func TestPageRequestLimitsAndCursors(t *testing.T) {
	for _, tc := range []struct {
		req  PageRequest
		want int // the limit, or -1 for a refusal
	}{
		{PageRequest{}, DefaultPageSize},
		{PageRequest{Limit: 1}, 1},
		{PageRequest{Limit: MaxPageSize}, MaxPageSize},
		{PageRequest{Limit: MaxPageSize + 1}, -1},
		{PageRequest{Limit: -1}, -1},
		{PageRequest{Limit: 5, Cursor: "!!"}, -1},
		{PageRequest{Limit: 5, Cursor: "bm90LWEta2V5"}, -1}, // base64 of "not-a-key"
	} {
		p, err := NewNewest(tc.req, func(k PageKey) PageKey { return k })
		if tc.want < 0 {
			if ErrorCode(err) != EInvalid {
				t.Errorf("%+v: want invalid_argument, got %v", tc.req, err)
			}
			continue
		}
		if err != nil || p.limit != tc.want {
			t.Errorf("%+v: limit %v, err %v; want %d", tc.req, p, err, tc.want)
		}
	}
	k := PageKey{At: time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC), ID: "a|b"}
	back, err := ParseCursor(k.Cursor())
	if err != nil || !back.At.Equal(k.At) || back.ID != k.ID {
		t.Fatalf("cursor round trip: %+v %v", back, err)
	}
}
