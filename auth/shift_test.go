package auth

import (
	"context"
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/clocktest"
)

// TestCrewLogsInForShift: a unit account without a fixed unit logs in for
// the shift the roster names it on, is bound to that unit until the shift
// ends (17:00:00 UTC, midnight WIB), then to the next shift's unit; the
// binding survives a restart. Without a shift it cannot log in.
func TestCrewLogsInForShift(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	at := func(h, m, s int) time.Time { return time.Date(2026, 11, 22, h, m, s, 0, time.UTC) }
	clock := clocktest.New(at(15, 0, 0))
	set := func(t time.Time) { clock.Advance(t.Sub(clock.Now())) }
	st, closeFn := openStore(t, dir, clock)
	amb2 := cc112.Unit{ID: "AMB-02", Callsign: "Ambulans 2", Type: "ambulance", Agency: "dinkes", Status: cc112.UnitAvailable,
		Location: geo.Point{Lat: -7.26, Lon: 112.75}}
	if err := st.eng.RegisterUnits(ctx, []cc112.Unit{amb2}); err != nil {
		t.Fatal(err)
	}
	admin := Principal{Username: "root", Role: Admin}
	if _, err := st.AddUser(ctx, NewUser{Username: "rina", Password: "rahasia-rina", Role: UnitRole}, "", "", admin, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Login(ctx, "rina", "rahasia-rina", "10.0.0.1"); cc112.ErrorCode(err) != cc112.EForbidden {
		t.Fatalf("login without a shift: %v, want forbidden", err)
	}
	sup := dispatch.Author{Username: "sup", Role: "supervisor"}
	for _, r := range []struct {
		unit     string
		from, to time.Time
	}{{"AMB-01", at(16, 0, 0), at(17, 0, 0)}, {"AMB-02", at(17, 0, 0), at(18, 0, 0)}} {
		if _, err := st.eng.SetRoster(ctx, r.unit, []dispatch.ShiftInput{{Crew: []string{"rina"}, From: r.from, To: r.to}}, sup, "", ""); err != nil {
			t.Fatal(err)
		}
	}
	bound := func(token, want string) {
		t.Helper()
		p, err := st.Authenticate(token)
		if err != nil || p.UnitID != want || p.Role != UnitRole {
			t.Fatalf("principal %+v (%v), want bound to %s", p, err, want)
		}
	}

	set(at(16, 59, 59))
	s1, err := st.Login(ctx, "rina", "rahasia-rina", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if s1.UnitID != "AMB-01" || !s1.ExpiresAt.Equal(at(17, 0, 0)) {
		t.Fatalf("session %+v: want AMB-01 until 17:00:00", s1)
	}
	bound(s1.Token, "AMB-01")

	set(at(17, 0, 0))
	if _, err := st.Authenticate(s1.Token); cc112.ErrorCode(err) != cc112.EUnauthenticated {
		t.Fatalf("the shift is over but its session is not: %v", err)
	}
	s2, err := st.Login(ctx, "rina", "rahasia-rina", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	bound(s2.Token, "AMB-02")

	closeFn()
	st, _ = openStore(t, dir, clock)
	bound(s2.Token, "AMB-02")
}
