package paging

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	webpush "github.com/SherClockHolmes/webpush-go"

	"cc112"
	"cc112/dispatch"
)

// Page is what a push carries to the unit's service worker, which shows
// it as a notification; tapping it opens URL (the assignment).
//
// Title and Body are in Bahasa Indonesia; the worker writes them in the
// phone's language from Kind, Number, Category and Detail when the page
// left it the words (unit-sw.js).
type Page struct {
	Kind       string `json:"kind"` // dispatch, moved, released, cancelled, closed, note, message
	Title      string `json:"title"`
	Body       string `json:"body"`
	Number     string `json:"number,omitempty"`
	Category   string `json:"category,omitempty"`
	Detail     string `json:"detail,omitempty"` // the address, the note's or message's text, the disposition
	IncidentID string `json:"incident_id,omitempty"`
	URL        string `json:"url"`
	At         string `json:"at"`
}

// Pusher sends pages to units' browsers. It hears the engine's changes as
// a dispatch.Publisher (called under the engine's lock: it only queues)
// and works them off in its own goroutine: a slow or failing push service
// never holds up a command.
type Pusher struct {
	s *Service

	mu      sync.Mutex
	queue   []published
	wake    chan struct{}
	running bool

	// Worker state (the Run goroutine only).
	unitOn map[string]string // unit → the incident it works
	notes  map[string]int    // incident → public notes seen
	wg     sync.WaitGroup
}

type published struct {
	name string
	data any
}

// NewPusher returns the Pusher of s; add it to the engine's publishers and
// Run it on the writer.
func (s *Service) NewPusher() *Pusher {
	return &Pusher{s: s, wake: make(chan struct{}, 1), unitOn: map[string]string{}, notes: map[string]int{}}
}

var _ dispatch.Publisher = (*Pusher)(nil)

// Publish implements dispatch.Publisher: it queues what pages may follow
// from (assignments, incidents, messages) while Run runs.
func (p *Pusher) Publish(name string, data any) {
	switch name {
	case cc112.LiveUnitUpdated, cc112.LiveIncidentUpdated, cc112.LiveIncidentCreated, cc112.LiveMessageCreated:
	default:
		return
	}
	p.mu.Lock()
	if p.running {
		p.queue = append(p.queue, published{name, data})
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run sends pages until ctx ends, then waits for retries in flight.
func (p *Pusher) Run(ctx context.Context) {
	for _, u := range p.s.eng.Units() {
		p.unitOn[u.ID] = u.IncidentID
	}
	if incs, err := p.s.eng.IncidentsInMemory("active"); err == nil {
		for _, inc := range incs {
			p.notes[inc.ID] = publicNotes(inc)
		}
	}
	p.mu.Lock()
	p.running = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.running, p.queue = false, nil
		p.mu.Unlock()
		p.wg.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		}
		p.mu.Lock()
		batch := p.queue
		p.queue = nil
		p.mu.Unlock()
		for _, ev := range batch {
			for _, pg := range p.pages(ev) {
				p.send(ctx, pg.unit, pg.page)
			}
		}
	}
}

type unitPage struct {
	unit string
	page Page
}

// pages decides what one change pages, and to whom.
func (p *Pusher) pages(ev published) []unitPage {
	now := p.s.now().Format(time.RFC3339)
	switch d := ev.data.(type) {
	case cc112.Unit:
		prev, cur := p.unitOn[d.ID], d.IncidentID
		p.unitOn[d.ID] = cur
		switch {
		case prev == cur:
			return nil
		case prev == "":
			inc, err := p.s.eng.Incident(cur)
			if err != nil {
				return nil
			}
			return []unitPage{{d.ID, incidentPage("dispatch", "TUGAS BARU", inc, inc.Address, now)}}
		case cur != "":
			inc, err := p.s.eng.Incident(cur)
			if err != nil {
				return nil
			}
			return []unitPage{{d.ID, incidentPage("moved", "TUGAS DIPINDAH", inc, inc.Address, now)}}
		}
		inc, err := p.s.eng.Incident(prev)
		if err != nil {
			return nil
		}
		if inc.Active() {
			// Freed from an open incident: released by the center, or the
			// crew's own Selesai (the worker shows no notification for that
			// while the crew looks at its page).
			return []unitPage{{d.ID, incidentPage("released", "TUGAS DILEPAS", inc, "", now)}}
		}
		kind, title := "closed", "TUGAS DITUTUP"
		if inc.Cancelled {
			kind, title = "cancelled", "TUGAS DIBATALKAN"
		}
		return []unitPage{{d.ID, incidentPage(kind, title, inc, inc.Disposition, now)}}
	case *cc112.Incident:
		n := publicNotes(d)
		seen, known := p.notes[d.ID]
		p.notes[d.ID] = n
		if !d.Active() {
			delete(p.notes, d.ID)
		}
		if !known || n <= seen {
			return nil
		}
		var last cc112.Note
		for _, x := range d.Notes {
			if !x.Internal {
				last = x
			}
		}
		var out []unitPage
		for _, a := range d.Assignments {
			if a.Active() {
				out = append(out, unitPage{a.UnitID, incidentPage("note", "CATATAN BARU", d, last.Text, now)})
			}
		}
		return out
	case *cc112.Message:
		var out []unitPage
		for _, u := range d.Units {
			out = append(out, unitPage{u, Page{Kind: "message", Title: "PESAN DARI PUSAT", Body: clip(d.Text, 160),
				Detail: clip(d.Text, 160), IncidentID: d.ToIncident, URL: "/unit", At: now}})
		}
		return out
	}
	return nil
}

func publicNotes(inc *cc112.Incident) int {
	n := 0
	for _, x := range inc.Notes {
		if !x.Internal {
			n++
		}
	}
	return n
}

// incidentPage is a page about an incident: "TITLE · number", the
// category and the detail.
func incidentPage(kind, title string, inc *cc112.Incident, detail, now string) Page {
	body := string(inc.Category)
	if detail != "" {
		body += " · " + detail
	}
	return Page{Kind: kind, Title: title + " · " + inc.Number, Body: clip(body, 160), Number: inc.Number,
		Category: string(inc.Category), Detail: clip(detail, 160), IncidentID: inc.ID, URL: "/unit", At: now}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// send pushes a page to every subscription of unit, each retried on its
// own with backoff.
func (p *Pusher) send(ctx context.Context, unit string, pg Page) {
	body, err := json.Marshal(pg)
	if err != nil {
		return
	}
	for _, sub := range p.s.subscriptionsOf(unit) {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.deliver(ctx, sub, body, pg.Kind)
		}()
	}
}

// deliver tries one subscription until the push service takes the page,
// says the subscription is gone (404, 410: dropped), or the attempts run
// out.
func (p *Pusher) deliver(ctx context.Context, sub cc112.PushSubscribedPayload, body []byte, kind string) {
	s := p.s
	for attempt := 1; ; attempt++ {
		status, err := p.post(ctx, sub, body, kind)
		switch {
		case err == nil && status/100 == 2:
			return
		case status == http.StatusNotFound || status == http.StatusGone:
			if _, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
				if s.subs[sub.Endpoint] != nil {
					tx.Emit(cc112.EvPushDropped, cc112.PushDroppedPayload{Endpoint: sub.Endpoint, UnitID: sub.UnitID, Status: status})
				}
				return nil, nil
			}); err != nil {
				s.log.Error("push subscription gone, but dropping it failed", "unit", sub.UnitID, "err", err)
			}
			return
		case attempt >= s.cfg.PushAttempts:
			s.log.Error("push failed; giving up", "unit", sub.UnitID, "kind", kind, "attempts", attempt, "status", status, "err", err)
			return
		}
		wait := s.backoff(attempt)
		s.log.Warn("push failed; will retry", "unit", sub.UnitID, "kind", kind, "attempt", attempt, "status", status, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// post sends one encrypted page (RFC 8291) with VAPID (RFC 8292),
// urgency high and the TTL, and answers the push service's status.
func (p *Pusher) post(ctx context.Context, sub cc112.PushSubscribedPayload, body []byte, kind string) (int, error) {
	s := p.s
	keys := s.vapid()
	// The library appends its padding to the message: a slice without spare
	// capacity makes it copy, so that subscriptions sent at once never
	// share (and race on) one buffer.
	res, err := webpush.SendNotificationWithContext(ctx, body[:len(body):len(body)],
		&webpush.Subscription{Endpoint: sub.Endpoint, Keys: webpush.Keys{P256dh: sub.P256dh, Auth: sub.Auth}},
		&webpush.Options{HTTPClient: s.cfg.Client, Subscriber: subscriber(s.cfg.Subject), TTL: int(s.cfg.TTL / time.Second),
			Urgency: webpush.UrgencyHigh, Topic: topic(kind), VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private})
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4096))
	return res.StatusCode, nil
}

// subscriber is the Subject as webpush-go takes it: it adds "mailto:" to
// anything that is not an https: URL.
func subscriber(subject string) string { return strings.TrimPrefix(subject, "mailto:") }

// topic lets a push service replace an undelivered page by a newer one of
// the same kind... never for dispatches or messages, each of which counts.
func topic(kind string) string {
	switch kind {
	case "note":
		return "note"
	}
	return ""
}
