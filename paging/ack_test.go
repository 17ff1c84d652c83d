package paging_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112/callcenter"
	"cc112/internal/clocktest"
	"cc112/paging"
)

// smsGateway is the SMS webhook on loopback: it counts what it takes and
// can be told to fail.
type smsGateway struct {
	*httptest.Server
	mu   sync.Mutex
	got  []callcenter.SMS
	fail bool
}

func newSMSGateway(t *testing.T) *smsGateway {
	g := &smsGateway{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.fail {
			http.Error(w, "modem busy", http.StatusServiceUnavailable)
			return
		}
		var m callcenter.SMS
		_ = json.NewDecoder(r.Body).Decode(&m)
		if r.Header.Get("Idempotency-Key") != m.ID {
			http.Error(w, "no key", http.StatusBadRequest)
			return
		}
		g.got = append(g.got, m)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *smsGateway) taken() []callcenter.SMS {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]callcenter.SMS(nil), g.got...)
}

func (g *smsGateway) setFail(v bool) { g.mu.Lock(); g.fail = v; g.mu.Unlock() }

// TestAckTimeoutAlertsAndTextsOnceAcrossRestart: a dispatch not
// acknowledged within the timeout raises one alert and one SMS to the
// crew, through the SMS webhook, exactly once: a crash after the alert is
// journaled but before the SMS went sends it after the restart, once; a
// restart after it went sends nothing; a failed SMS is retried after its
// backoff; an acknowledged dispatch alerts nobody. On both journals.
func TestAckTimeoutAlertsAndTextsOnceAcrossRestart(t *testing.T) {
	for _, jk := range journals {
		t.Run(jk.name, func(t *testing.T) {
			ctx := context.Background()
			gw := newSMSGateway(t)
			place := jk.place(t)
			clock := clocktest.New(t0)
			var alerts []string
			cfg := func() paging.Config {
				return paging.Config{AckTimeout: time.Minute, SMS: &callcenter.WebhookSMS{URL: gw.URL}, RetryBase: 30 * time.Second,
					Alert: func(a cc112AckOverdue) { alerts = append(alerts, a.Callsign) }}
			}
			n := start(t, jk.open(t, place), clock, withPhones(cfg(), n0Units()), true)
			inc, u := n.dispatchUnit(t)

			clock.Advance(59 * time.Second)
			if k, err := n.pager.CheckAcks(ctx); err != nil || k != 0 {
				t.Fatalf("at 59 s: %d raised, %v", k, err)
			}
			clock.Advance(time.Second)
			if k, err := n.pager.CheckAcks(ctx); err != nil || k != 1 {
				t.Fatalf("at 60 s: %d raised, %v", k, err)
			}
			if len(alerts) != 1 || alerts[0] != u.Callsign {
				t.Fatalf("alerts %v", alerts)
			}
			// The crash: the alert and its SMS are journaled, not sent.
			_ = n.j.Close()
			n = start(t, jk.open(t, place), clock, withPhones(cfg(), n0Units()), false)
			if k, _ := n.pager.CheckAcks(ctx); k != 0 {
				t.Fatalf("after the restart the same dispatch raised again (%d)", k)
			}
			if sent, err := n.pager.FlushOutbox(ctx); err != nil || sent != 1 {
				t.Fatalf("flush after the restart: %d sent, %v", sent, err)
			}
			got := gw.taken()
			if len(got) != 1 || got[0].To != "+6281200000001" || !strings.Contains(got[0].Text, inc.Number) ||
				!strings.Contains(got[0].Text, u.Callsign) || !strings.Contains(got[0].Text, "TERIMA") {
				t.Fatalf("SMS %+v", got)
			}
			if sent, _ := n.pager.FlushOutbox(ctx); sent != 0 {
				t.Fatalf("a second flush sent %d", sent)
			}
			_ = n.j.Close()
			n = start(t, jk.open(t, place), clock, withPhones(cfg(), n0Units()), false)
			clock.Advance(time.Hour)
			n.pager.CheckAcks(ctx)
			n.pager.FlushOutbox(ctx)
			if got := gw.taken(); len(got) != 1 {
				t.Fatalf("after a restart past the send: %d SMS, want 1", len(got))
			}

			// An acknowledged dispatch alerts nobody; a failing gateway is
			// retried after the backoff, and the SMS still goes once.
			inc2, u2 := n.dispatchUnit(t)
			if _, err := n.eng.AcknowledgeAssignment(ctx, u2.ID, "", ""); err != nil {
				t.Fatal(err)
			}
			again, err := n.eng.AcknowledgeAssignment(ctx, u2.ID, "", "")
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range again.Assignments {
				if a.UnitID == u2.ID && (a.AcknowledgedAt == nil || !a.AcknowledgedAt.Equal(clock.Now())) {
					t.Fatalf("acknowledged at %v, want %v", a.AcknowledgedAt, clock.Now())
				}
			}
			_, u3 := n.dispatchUnit(t)
			clock.Advance(2 * time.Minute)
			gw.setFail(true)
			if k, _ := n.pager.CheckAcks(ctx); k != 1 {
				t.Fatalf("raised %d, want 1 (%s acknowledged, %s did not)", k, u2.Callsign, u3.Callsign)
			}
			if sent, _ := n.pager.FlushOutbox(ctx); sent != 0 {
				t.Fatal("sent through a failing gateway")
			}
			gw.setFail(false)
			clock.Advance(29 * time.Second)
			if sent, _ := n.pager.FlushOutbox(ctx); sent != 0 {
				t.Fatal("retried before the backoff")
			}
			clock.Advance(time.Second)
			if sent, _ := n.pager.FlushOutbox(ctx); sent != 1 {
				t.Fatal("not retried after the backoff")
			}
			_ = n.j.Close()
			n = start(t, jk.open(t, place), clock, withPhones(cfg(), n0Units()), false)
			t.Cleanup(func() { _ = n.j.Close() })
			n.pager.CheckAcks(ctx)
			n.pager.FlushOutbox(ctx)
			if got := gw.taken(); len(got) != 2 {
				t.Fatalf("%d SMS in all, want 2", len(got))
			}
			if ov := n.pager.Overdue(); len(ov) != 2 || !ov[0].Done || !ov[1].Done {
				t.Fatalf("overdue after replay: %+v", ov)
			}
			_ = inc2
		})
	}
}
