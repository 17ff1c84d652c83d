package ui

import (
	"cc112"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112/auth"
)

// loginFrom logs in from a loopback address of its own (127.0.0.2, ...),
// so that one test can play an attacker and the account's owner.
func (s *secured) loginFrom(t *testing.T, addr, user, pw string) int {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
	res, err := c.Post(s.srv.URL+"/api/v1/login", "application/json",
		strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw)))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// audited counts the audit entries of one action (and user, if given).
func (s *secured) audited(t *testing.T, action, user string) []auth.Entry {
	t.Helper()
	out, err := s.store.Audit(context.Background(), auth.AuditFilter{Action: action, User: user, PageRequest: cc112.PageRequest{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}

// TestLoginBurstIsCountedBeforeTheCheck: 200 concurrent guesses at one user
// from one address reach the password check at most as often as the limit
// allows (each check leaves a login_failed entry in the audit).
func TestLoginBurstIsCountedBeforeTheCheck(t *testing.T) {
	s := newSecured(t)
	var wg sync.WaitGroup
	start := make(chan struct{})
	codes := make(chan int, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/login",
				strings.NewReader(fmt.Sprintf(`{"username":"dispatcher","password":"guess-%d"}`, i)))
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	checks := len(s.audited(t, auth.ActionLoginFailed, "dispatcher"))
	if checks > 5 || count[401] != checks || count[429] != 200-checks {
		t.Fatalf("200 concurrent guesses: %d password checks, answers %v; the limit is 5", checks, count)
	}
}

// TestLockoutIsPerAddress: an attacker failing at one user's password is
// refused, and the owner still logs in from an address that has not failed.
func TestLockoutIsPerAddress(t *testing.T) {
	s := newSecured(t)
	for i := 0; i < 5; i++ {
		if c := s.loginFrom(t, "127.0.0.2", "dispatcher", "wrong"); c != 401 {
			t.Fatalf("attacker's failure %d: %d", i, c)
		}
	}
	if c := s.loginFrom(t, "127.0.0.2", "dispatcher", password(auth.Dispatcher)); c != 429 {
		t.Fatalf("attacker's address after 5 failures, right password: %d, want 429", c)
	}
	if c := s.loginFrom(t, "127.0.0.3", "dispatcher", password(auth.Dispatcher)); c != 200 {
		t.Fatalf("the owner from another address: %d, want 200", c)
	}
}

// TestLoginSprayAlerts: many users from one address, and one user from many
// addresses, each leave a login_spray entry in the audit for the admin; a
// user under a spray is refused to the addresses that failed at it, never
// to one that has not.
func TestLoginSprayAlerts(t *testing.T) {
	s := newSecured(t)
	// Many users from one address, until the address is refused.
	for i := 0; i < 12; i++ {
		if c := s.loginFrom(t, "127.0.0.2", fmt.Sprintf("user%d", i), "x"); c != 401 {
			t.Fatalf("guess %d: %d", i, c)
		}
	}
	if c := s.loginFrom(t, "127.0.0.2", "admin", password(auth.Admin)); c != 429 {
		t.Fatalf("address over its limit: %d, want 429", c)
	}
	alerts := s.audited(t, auth.ActionLoginSpray, "")
	if len(alerts) != 1 || alerts[0].Addr != "127.0.0.2" {
		t.Fatalf("spray from one address: alerts %+v, want one naming 127.0.0.2", alerts)
	}
	// One user from many addresses, two guesses each.
	for i := 10; i < 15; i++ {
		addr := fmt.Sprintf("127.0.1.%d", i)
		for k := 0; k < 2; k++ {
			if c := s.loginFrom(t, addr, "supervisor", "x"); c != 401 {
				t.Fatalf("%s guess %d: %d", addr, k, c)
			}
		}
	}
	alerts = s.audited(t, auth.ActionLoginSpray, "")
	if len(alerts) != 2 || alerts[0].Target != "supervisor" {
		t.Fatalf("spray at one user: alerts %+v, want a second naming supervisor", alerts)
	}
	if c := s.loginFrom(t, "127.0.1.10", "supervisor", password(auth.Supervisor)); c != 429 {
		t.Fatalf("an address that failed at a sprayed user: %d, want 429", c)
	}
	if c := s.loginFrom(t, "127.0.0.1", "supervisor", password(auth.Supervisor)); c != 200 {
		t.Fatalf("the owner from an address that has not failed: %d, want 200", c)
	}
	// A new window forgets the spray.
	s.now.add(15 * time.Minute)
	if c := s.loginFrom(t, "127.0.1.10", "supervisor", password(auth.Supervisor)); c != 200 {
		t.Fatalf("after the window: %d, want 200", c)
	}
}
