package paging_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/city"
	"cc112/dispatch"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/paging"
	"cc112/postgres"
)

// t0 is a fixed instant: 08:00 WIB.
var t0 = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// journalKind opens a journal at a place that outlives one opening, so
// that a test can restart on it.
type journalKind struct {
	name string
	open func(t *testing.T, where string) cc112.Journal
	// place makes a new place (a folder, a schema).
	place func(t *testing.T) string
}

var journals = []journalKind{
	{"bolt", func(t *testing.T, dir string) cc112.Journal {
		j, err := bolt.Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}, func(t *testing.T) string { return t.TempDir() }},
	{"postgres", func(t *testing.T, url string) cc112.Journal {
		db, err := postgres.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		j, err := postgres.NewJournal(context.Background(), db, postgres.JournalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}, func(t *testing.T) string { return pgtest.URL(t) }},
}

// node is one start of the server's paging: an engine on the journal with
// the paging extension.
type node struct {
	j     cc112.Journal
	eng   *dispatch.Engine
	pager *paging.Service
}

func start(t *testing.T, j cc112.Journal, clock cc112.Clock, cfg paging.Config, seed bool) *node {
	t.Helper()
	city := city.Demo()
	cfg.Clock, cfg.Logger = clock, slog.New(slog.DiscardHandler)
	p := paging.New(cfg)
	ctx := context.Background()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Clock: clock, Districts: city.Districts, Logger: cfg.Logger}, p)
	if err != nil {
		t.Fatal(err)
	}
	if seed {
		if err := eng.RegisterUnits(ctx, city.Units); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.EnsureKeys(ctx); err != nil {
		t.Fatal(err)
	}
	return &node{j: j, eng: eng, pager: p}
}

// dispatchUnit makes a medical incident and sends the first ambulance.
func (n *node) dispatchUnit(t *testing.T) (*cc112.Incident, cc112.Unit) {
	t.Helper()
	ctx := context.Background()
	inc, err := n.eng.CreateIncident(ctx, dispatch.NewIncident{Category: "medical", Location: &city.Demo().Units[0].Location,
		Address: "Jl. Tunjungan 10"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range n.eng.Units() {
		if u.Type == cc112.UnitAmbulance && u.Status == cc112.UnitAvailable {
			if _, err := n.eng.Assign(ctx, inc.ID, u.ID, "", ""); err != nil {
				t.Fatal(err)
			}
			return inc, u
		}
	}
	t.Fatal("no ambulance available")
	return nil, cc112.Unit{}
}

// browser is a push subscription's private side, as a browser keeps it.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t *testing.T) browser {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]byte, 16)
	_, _ = rand.Read(a)
	return browser{key: k, auth: a}
}

func (b browser) subscription(endpoint string) paging.Subscription {
	var s paging.Subscription
	s.Endpoint = endpoint
	s.Keys.P256dh = base64.RawURLEncoding.EncodeToString(b.key.PublicKey().Bytes())
	s.Keys.Auth = base64.RawURLEncoding.EncodeToString(b.auth)
	return s
}

var _ = clocktest.New

var dispatchAuthor = dispatch.Author{Username: "dispatcher", Role: "dispatcher"}

type cc112AckOverdue = cc112.AckOverdue

// n0Units are the demo city's ambulances, in registration order.
func n0Units() []string {
	var out []string
	for _, u := range city.Demo().Units {
		if u.Type == cc112.UnitAmbulance {
			out = append(out, u.ID)
		}
	}
	return out
}

// withPhones gives each unit a crew phone: +62812000000NN.
func withPhones(c paging.Config, units []string) paging.Config {
	c.CrewPhones = map[string]string{}
	for i, u := range units {
		c.CrewPhones[u] = fmt.Sprintf("+6281200000%03d", i+1)
	}
	return c
}

func newEngine(j cc112.Journal, p *paging.Service) (*dispatch.Engine, error) {
	return dispatch.New(context.Background(), dispatch.Config{Journal: j, Logger: slog.New(slog.DiscardHandler)}, p)
}
