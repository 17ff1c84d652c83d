package auth

import (
	"context"
	"testing"
	"time"

	"cc112/internal/clocktest"
)

// A watched session ends its watchers on logout, on a password change and
// at expiry on the store's clock; a released watcher and another session's
// are not called.
func TestWatchSessionEnds(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	st, _ := openStore(t, t.TempDir(), clock)
	admin := Principal{Username: "root", Role: Admin}
	if _, err := st.AddUser(ctx, NewUser{Username: "budi", Password: "rahasia-budi", Role: Dispatcher}, "", "", admin, ""); err != nil {
		t.Fatal(err)
	}
	login := func(password string) string {
		t.Helper()
		s, err := st.Login(ctx, "budi", password, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return s.Token
	}
	watch := func(token string) chan struct{} {
		ch := make(chan struct{})
		st.WatchSession(token, func() { close(ch) }) // a second call would panic
		return ch
	}
	ended := func(ch chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(15 * time.Second):
			t.Fatalf("%s: the watcher was not told", what)
		}
	}

	a, b := login("rahasia-budi"), login("rahasia-budi")
	onA, onB := watch(a), watch(b)
	released := make(chan struct{})
	st.WatchSession(a, func() { close(released) })() // released at once
	if err := st.Logout(ctx, a, Principal{Username: "budi", Role: Dispatcher}, ""); err != nil {
		t.Fatal(err)
	}
	ended(onA, "logout")
	select {
	case <-onB:
		t.Fatal("another session's watcher was told")
	case <-released:
		t.Fatal("a released watcher was told")
	default:
	}

	if err := st.SetPassword(ctx, "budi", "another-password", admin, ""); err != nil {
		t.Fatal(err)
	}
	ended(onB, "password change")

	c := login("another-password")
	onC := watch(c)
	clock.Advance(st.cfg.TokenTTL)
	ended(onC, "expiry")
}
