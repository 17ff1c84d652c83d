package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/geo"
	"cc112/internal/clocktest"
)

func cheap() Config { return Config{Hash: HashParams{Memory: 64, Time: 1, Threads: 1}} }

// openStore opens (or reopens) a store on dir's journal.
func openStore(t *testing.T, dir string, clock cc112.Clock) (*Store, func()) {
	t.Helper()
	j, err := bolt.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, stop := storeOn(t, j, clock)
	if st.eng.LastSeq() == 0 {
		u := cc112.Unit{ID: "AMB-01", Callsign: "Ambulans 1", Type: "ambulance", Agency: "dinkes", Status: cc112.UnitAvailable,
			Location: geo.Point{Lat: -7.25, Lon: 112.75}}
		if err := st.eng.RegisterUnits(context.Background(), []cc112.Unit{u}); err != nil {
			t.Fatal(err)
		}
	}
	return st, stop
}

func TestLoginLogoutSurviveRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := clocktest.New(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	st, closeFn := openStore(t, dir, clock)
	admin := Principal{Username: "root", Role: Admin}
	for _, n := range []NewUser{
		{Username: "budi", Password: "rahasia-budi", Role: Dispatcher},
		{Username: "amb1", Password: "rahasia-amb1", Role: UnitRole, UnitID: "AMB-01"},
	} {
		if _, err := st.AddUser(ctx, n, "", "", admin, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Login(ctx, "budi", "wrong", "10.0.0.1"); cc112.ErrorCode(err) != cc112.EUnauthenticated {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := st.Login(ctx, "nobody", "rahasia-budi", "10.0.0.1"); cc112.ErrorCode(err) != cc112.EUnauthenticated {
		t.Fatalf("unknown user: %v", err)
	}
	keep, err := st.Login(ctx, "budi", "rahasia-budi", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := st.Login(ctx, "amb1", "rahasia-amb1", "10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	if gone.UnitID != "AMB-01" || gone.Role != UnitRole {
		t.Fatalf("unit session = %+v", gone)
	}
	if err := st.Logout(ctx, gone.Token, Principal{Username: "amb1", Role: UnitRole}, "10.0.0.2"); err != nil {
		t.Fatal(err)
	}
	closeFn()

	st, _ = openStore(t, dir, clock)
	if p, err := st.Authenticate(keep.Token); err != nil || p.Username != "budi" || p.Role != Dispatcher {
		t.Fatalf("token after restart: %+v %v", p, err)
	}
	if _, err := st.Authenticate(gone.Token); cc112.ErrorCode(err) != cc112.EUnauthenticated {
		t.Fatalf("revoked token after restart: %v", err)
	}
	entries, err := st.Audit(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries.Items {
		actions = append(actions, e.Action+":"+e.User)
	}
	got := strings.Join(actions, " ")
	want := "logout:amb1 login:amb1 login:budi login_failed:nobody login_failed:budi user_saved:root user_saved:root"
	if got != want {
		t.Fatalf("audit after restart:\n got %s\nwant %s", got, want)
	}
	clock.Advance(13 * time.Hour)
	if _, err := st.Authenticate(keep.Token); cc112.ErrorCode(err) != cc112.EUnauthenticated {
		t.Fatalf("expired token accepted: %v", err)
	}
}

func TestPasswordChangeRevokesSessions(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t, t.TempDir(), clocktest.New(time.Now()))
	if _, err := st.AddUser(ctx, NewUser{Username: "sari", Password: "lama-sekali", Role: CallTaker}, "", "", Principal{}, ""); err != nil {
		t.Fatal(err)
	}
	s, err := st.Login(ctx, "sari", "lama-sekali", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, "sari", "baru-sekali", Principal{}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(s.Token); err == nil {
		t.Fatal("old session still valid after a password change")
	}
	if _, err := st.Login(ctx, "sari", "lama-sekali", ""); err == nil {
		t.Fatal("old password still works")
	}
	if _, err := st.Login(ctx, "sari", "baru-sekali", ""); err != nil {
		t.Fatal(err)
	}
}

func TestAddUserValidation(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t, t.TempDir(), clocktest.New(time.Now()))
	tests := []struct {
		name string
		n    NewUser
		code string
	}{
		{"short password", NewUser{Username: "a1", Password: "short", Role: Police}, cc112.EInvalid},
		{"bad username", NewUser{Username: "A B", Password: "longenough", Role: Police}, cc112.EInvalid},
		{"unknown role", NewUser{Username: "x1", Password: "longenough", Role: "king"}, cc112.EInvalid},
		{"crew account (bound by its shift)", NewUser{Username: "x2", Password: "longenough", Role: UnitRole}, ""},
		{"unit of unknown unit", NewUser{Username: "x3", Password: "longenough", Role: UnitRole, UnitID: "NOPE"}, cc112.ENotFound},
		{"agency without agency", NewUser{Username: "x4", Password: "longenough", Role: Agency}, cc112.EInvalid},
		{"police with unit", NewUser{Username: "x5", Password: "longenough", Role: Police, UnitID: "AMB-01"}, cc112.EInvalid},
		{"fine", NewUser{Username: "x6", Password: "longenough", Role: Agency, Agency: "dkp"}, ""},
		{"duplicate", NewUser{Username: "x6", Password: "longenough", Role: Police}, cc112.EConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := st.AddUser(ctx, tt.n, "", "", Principal{}, "")
			if got := cc112.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q, want %q (%v)", got, tt.code, err)
			}
		})
	}
}

func TestDeviceSecrets(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t, t.TempDir(), clocktest.New(time.Now()))
	secret, err := st.RegisterDevice(ctx, "48241179", "AMB-01", "", "", Principal{Username: "root", Role: Admin}, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		device, secret string
		ok             bool
	}{
		{"48241179", secret, true},
		{"48241179", secret[:len(secret)-1] + "x", false},
		{"48241179", "", false},
		{"other", secret, false},
	}
	for _, tt := range tests {
		unit, err := st.AuthenticateDevice(tt.device, tt.secret)
		if (err == nil) != tt.ok || (tt.ok && unit != "AMB-01") {
			t.Errorf("AuthenticateDevice(%q, …) = %q, %v; want ok=%v", tt.device, unit, err, tt.ok)
		}
	}
	if _, err := st.RegisterDevice(ctx, "x", "NOPE", "", "", Principal{}, ""); cc112.ErrorCode(err) != cc112.ENotFound {
		t.Fatalf("device of an unknown unit: %v", err)
	}
}

func TestAuditFilterAndRecordBatching(t *testing.T) {
	ctx := context.Background()
	clock := clocktest.New(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	st, _ := openStore(t, t.TempDir(), clock)
	for i := 0; i < 300; i++ {
		user := "a"
		if i%3 == 0 {
			user = "b"
		}
		if err := st.Record(ctx, Entry{Action: ActionRequest, User: user, Method: "POST", Path: "/x", Status: 200,
			At: clock.Now().Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	from := clock.Now().Add(100 * time.Minute)
	to := clock.Now().Add(200 * time.Minute)
	page, err := st.Audit(ctx, AuditFilter{User: "b", From: from, To: to, PageRequest: cc112.PageRequest{Limit: 1000}})
	got := page.Items
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 33 { // i in [100,200) with i%3==0: 102..198
		t.Fatalf("filtered entries = %d, want 33", len(got))
	}
	for i, e := range got {
		if e.User != "b" || e.At.Before(from) || !e.At.Before(to) || (i > 0 && e.Seq >= got[i-1].Seq) {
			t.Fatalf("entry %d out of filter or order: %+v", i, e)
		}
	}
	first, _ := st.Audit(ctx, AuditFilter{PageRequest: cc112.PageRequest{Limit: 7}})
	if len(first.Items) != 7 || first.NextCursor == "" {
		t.Fatalf("limit 7 gave %d, next %q", len(first.Items), first.NextCursor)
	}
	next, _ := st.Audit(ctx, AuditFilter{PageRequest: cc112.PageRequest{Limit: 7, Cursor: first.NextCursor}})
	if len(next.Items) != 7 || next.Items[0].Seq >= first.Items[6].Seq {
		t.Fatalf("the page after %v starts at %+v", first.NextCursor, next.Items)
	}
	if _, err := st.Audit(ctx, AuditFilter{PageRequest: cc112.PageRequest{Cursor: "x"}}); cc112.ErrorCode(err) != cc112.EInvalid {
		t.Fatalf("a bad cursor: %v", err)
	}
}

func TestRecordAfterCloseFails(t *testing.T) {
	st, closeFn := openStore(t, t.TempDir(), clocktest.New(time.Now()))
	closeFn()
	err := st.Record(context.Background(), Entry{Action: ActionRequest})
	var e *cc112.Error
	if !errors.As(err, &e) || e.Code != cc112.EUnavailable {
		t.Fatalf("Record after Close = %v", err)
	}
}
