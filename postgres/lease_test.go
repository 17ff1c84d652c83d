package postgres

import (
	"context"
	"testing"
	"time"

	"cc112/internal/pgtest"
)

func TestLeaseExclusiveAndHandedOver(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	db := openDB(t, url)
	other := openDB(t, pgtest.URL(t)) // another schema: another command center
	a, b := NewLease(db, "a", "http://a"), NewLease(db, "b", "http://b")
	c := NewLease(other, "c", "http://c")
	defer a.Release()
	defer b.Release()
	defer c.Release()

	steps := []struct {
		lease *Lease
		want  bool
	}{{a, true}, {b, false}, {c, true}, {a, true}}
	for i, s := range steps {
		got, err := s.lease.TryAcquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Fatalf("step %d: %s acquired %v, want %v", i, s.lease.instance, got, s.want)
		}
	}
	if err := a.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if inst, addr, _ := Leader(ctx, db); inst != "a" || addr != "http://a" {
		t.Fatalf("leader row %s %s", inst, addr)
	}
	a.Release() // the leader's connection ends: as when it is killed
	// The server notices the closed connection a moment later; the standby
	// retries, as dispatchd does every second.
	for i := 0; ; i++ {
		ok, err := b.TryAcquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if i == 1000 {
			t.Fatal("standby could not take the released lease")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if inst, addr, _ := Leader(ctx, db); inst != "b" || addr != "http://b" {
		t.Fatalf("leader row after handover %s %s", inst, addr)
	}
	if err := a.Check(ctx); err == nil {
		t.Fatal("a released lease still checks as held")
	}
}
