package auth

import (
	"context"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/dispatch"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/postgres"
)

// journalAt opens, each time it is called, the same journal again: the
// embedded file or one PostgreSQL schema (a restart of dispatchd).
type journalAt func(t *testing.T) cc112.Journal

func boltAt(t *testing.T) journalAt {
	dir := t.TempDir()
	return func(t *testing.T) cc112.Journal {
		j, err := bolt.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
}

func postgresAt(t *testing.T) journalAt {
	url := pgtest.URL(t)
	return func(t *testing.T) cc112.Journal {
		db, err := postgres.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		j, err := postgres.NewJournal(context.Background(), db, postgres.JournalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return closing{j, db.Close}
	}
}

// closing closes the journal's database after the journal.
type closing struct {
	cc112.Journal
	after func()
}

func (c closing) Close() error { err := c.Journal.Close(); c.after(); return err }

// storeOn starts a store on j; stop ends it and the journal.
func storeOn(t *testing.T, j cc112.Journal, clock cc112.Clock) (st *Store, stop func()) {
	t.Helper()
	st = New(cheap())
	if _, err := dispatch.New(context.Background(), dispatch.Config{Journal: j, Clock: clock}, st); err != nil {
		t.Fatal(err)
	}
	done := false
	stop = func() {
		if !done {
			done = true
			st.Close()
			_ = j.Close()
		}
	}
	t.Cleanup(stop)
	return st, stop
}

// A wall's session lasts weeks while the wall is on (each renewal starts
// its 14 days again, written at most once a day), survives a restart on
// both journals, and ends when an admin revokes it; a dispatcher's shift
// session is never renewed.
func TestKioskSessionRenewsAndIsRevocable(t *testing.T) {
	for name, at := range map[string]func(*testing.T) journalAt{"bolt": boltAt, "postgres": postgresAt} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			open := at(t)
			clock := clocktest.New(time.Date(2026, 12, 6, 16, 59, 59, 0, time.UTC))
			st, stop := storeOn(t, open(t), clock)
			admin := Principal{Username: "root", Role: Admin}
			for _, n := range []NewUser{
				{Username: "wall1", Password: "rahasia-wall-1", Role: Wall},
				{Username: "budi", Password: "rahasia-budi", Role: Dispatcher},
			} {
				if _, err := st.AddUser(ctx, n, "", "", admin, "127.0.0.1"); err != nil {
					t.Fatal(err)
				}
			}
			wall, err := st.Login(ctx, "wall1", "rahasia-wall-1", "10.0.0.9")
			if err != nil {
				t.Fatal(err)
			}
			if want := clock.Now().Add(14 * 24 * time.Hour); !wall.ExpiresAt.Equal(want) {
				t.Fatalf("wall session expires %v, want %v", wall.ExpiresAt, want)
			}
			shift, err := st.Login(ctx, "budi", "rahasia-budi", "10.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			if exp, ok, err := st.Renew(ctx, shift.Token); err != nil || ok || !exp.Equal(shift.ExpiresAt) {
				t.Fatalf("dispatcher renewed: %v %v %v", exp, ok, err)
			}
			// Three weeks of a wall asking every 12 hours.
			for range 42 {
				clock.Advance(12 * time.Hour)
				if _, ok, err := st.Renew(ctx, wall.Token); err != nil || !ok {
					t.Fatalf("renew at %v: %v %v", clock.Now(), ok, err)
				}
			}
			if p, err := st.Authenticate(wall.Token); err != nil || p.Role != Wall {
				t.Fatalf("wall after three weeks: %+v %v", p, err)
			}
			if _, err := st.Authenticate(shift.Token); cc112.ErrorCode(err) != cc112.EUnauthenticated {
				t.Fatalf("dispatcher's shift session after three weeks: %v", err)
			}
			stop()

			st, _ = storeOn(t, open(t), clock)
			exp, ok, err := st.Renew(ctx, wall.Token)
			if err != nil || !ok || exp.Sub(clock.Now()) < 13*24*time.Hour {
				t.Fatalf("wall after restart: expires %v (now %v) %v %v", exp, clock.Now(), ok, err)
			}
			if err := st.RevokeSessions(ctx, "nobody", admin, "127.0.0.1"); cc112.ErrorCode(err) != cc112.ENotFound {
				t.Fatalf("revoke unknown user: %v", err)
			}
			if err := st.RevokeSessions(ctx, "wall1", admin, "127.0.0.1"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Authenticate(wall.Token); cc112.ErrorCode(err) != cc112.EUnauthenticated {
				t.Fatalf("revoked wall still in: %v", err)
			}
			if _, _, err := st.Renew(ctx, wall.Token); cc112.ErrorCode(err) != cc112.EUnauthenticated {
				t.Fatalf("revoked wall renewed: %v", err)
			}
			if _, err := st.Login(ctx, "wall1", "rahasia-wall-1", "10.0.0.9"); err != nil {
				t.Fatalf("password kept: %v", err)
			}
		})
	}
}
