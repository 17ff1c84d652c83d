package ui

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/paging"
)

// testSubscription is a browser's push subscription made in the test: its
// private key and auth secret stay here (a test that reads pushes decrypts
// with them).
type testSubscription struct {
	Endpoint string
	Private  *ecdh.PrivateKey
	Auth     []byte
}

func newTestSubscription(t testing.TB, endpoint string) testSubscription {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	return testSubscription{Endpoint: endpoint, Private: k, Auth: auth}
}

// JSON is the subscription as PushSubscription.toJSON() gives it.
func (s testSubscription) JSON() string {
	b, _ := json.Marshal(map[string]any{"endpoint": s.Endpoint, "expirationTime": nil, "keys": map[string]string{
		"p256dh": base64.RawURLEncoding.EncodeToString(s.Private.PublicKey().Bytes()),
		"auth":   base64.RawURLEncoding.EncodeToString(s.Auth)}})
	return string(b)
}

func testSubscriptionJSON(t testing.TB, endpoint string) string {
	return newTestSubscription(t, endpoint).JSON()
}

// crewOnIncident makes a unit user for a unit other than skip, sends the
// unit to the incident and answers the user's token.
func (s *secured) crewOnIncident(t testing.TB, incident string, skip ...string) string {
	t.Helper()
	unit := ""
	for _, u := range s.eng.Units() {
		if !slices.Contains(skip, u.ID) && u.Status == cc112.UnitAvailable {
			unit = u.ID
			break
		}
	}
	user := "crew-" + strings.ToLower(strings.ReplaceAll(unit, "_", "-"))
	if r := s.as(auth.Admin, "POST", "/api/v1/users", fmt.Sprintf(`{"username":%q,"password":"pw-crew-112-x","role":"unit","unit_id":%q}`, user, unit)); r.status != 201 {
		t.Fatalf("crew user: %d %s", r.status, r.body)
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+incident+"/assignments", `{"unit_id":"`+unit+`"}`); r.status != 201 {
		t.Fatalf("assign the crew: %d %s", r.status, r.body)
	}
	return s.login(t, user, "pw-crew-112-x")
}

// aheadClock is the wall clock moved on: the fixture's engine runs on the
// wall clock, paging's timers see it later.
type aheadClock struct{ d time.Duration }

func (c aheadClock) Now() time.Time { return time.Now().Add(c.d) }

var _ = context.Background
var _ = paging.New
