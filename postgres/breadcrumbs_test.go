package postgres

import (
	"context"
	"testing"
	"time"

	"cc112/internal/pgtest"
	"cc112/track"
)

func fixAt(unit string, at time.Time, i int) track.Fix {
	return track.Fix{UnitID: unit, At: at, Lat: -7.25 + float64(i)*1e-4, Lon: 112.74}
}

func TestBreadcrumbsSampledStoredAndRead(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	b := NewBreadcrumbs(db, BreadcrumbOptions{Every: 5 * time.Second})
	t0 := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	for i := 0; i < 60; i++ { // one fix a second for a minute, two units
		b.Add(fixAt("f1", t0.Add(time.Duration(i)*time.Second), i))
		b.Add(fixAt("p1", t0.Add(time.Duration(i)*time.Second), i))
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Written() != 24 {
		t.Fatalf("stored %d fixes, want 12 per unit (one per 5 s)", b.Written())
	}
	tests := []struct {
		from, to time.Duration
		limit    int
		want     int
	}{
		{0, time.Minute, 100, 12},
		{10 * time.Second, 30 * time.Second, 100, 4}, // 10, 15, 20, 25
		{0, time.Minute, 3, 3},
		{time.Hour, 2 * time.Hour, 100, 0},
	}
	for _, tt := range tests {
		got, err := b.Track(ctx, "f1", t0.Add(tt.from), t0.Add(tt.to), tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Fatalf("track %v..%v: %d fixes, want %d", tt.from, tt.to, len(got), tt.want)
		}
		for i := 1; i < len(got); i++ {
			if !got[i].At.After(got[i-1].At) || got[i].UnitID != "f1" {
				t.Fatalf("fixes out of order or of another unit: %+v", got)
			}
		}
	}
}

// While the table cannot be written the fixes stay buffered up to the
// limit, the oldest dropped and counted; once it can, they are stored.
func TestBreadcrumbsSurviveAnOutageWithinTheBuffer(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	db := openDB(t, url)
	b := NewBreadcrumbs(db, BreadcrumbOptions{Every: time.Second, MaxBuffer: 5})
	t0 := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	pgtest.Exec(t, url, "alter table positions rename to positions_away")
	for i := 0; i < 4; i++ {
		b.Add(fixAt("f1", t0.Add(time.Duration(i)*time.Second), i))
	}
	if err := b.Flush(ctx); err == nil {
		t.Fatal("flush into a missing table succeeded")
	}
	for i := 4; i < 8; i++ {
		b.Add(fixAt("f1", t0.Add(time.Duration(i)*time.Second), i))
	}
	if b.Dropped() != 3 {
		t.Fatalf("dropped %d, want 3 (8 fixes, room for 5)", b.Dropped())
	}
	pgtest.Exec(t, url, "alter table positions_away rename to positions")
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := b.Track(ctx, "f1", t0, t0.Add(time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || !got[0].At.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("after the outage %d fixes from %v, want the newest 5 from +3s", len(got), got[0].At)
	}
}

func BenchmarkBreadcrumbIngest(b *testing.B) {
	ctx := context.Background()
	db := openDB(b, pgtest.URL(b))
	crumbs := NewBreadcrumbs(db, BreadcrumbOptions{Every: time.Second, MaxBuffer: 1 << 20})
	t0 := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	const units = 500
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		crumbs.Add(fixAt("u"+string(rune('A'+i%units%26))+string(rune('a'+i%units/26)), t0.Add(time.Duration(i/units)*time.Second), i))
		if i%20000 == 19999 {
			if err := crumbs.Flush(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := crumbs.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(crumbs.Written())/time.Since(start).Seconds(), "fixes/s")
}
