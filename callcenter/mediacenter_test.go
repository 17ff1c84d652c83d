package callcenter

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112"
)

// mailSpy records e-mail notices.
type mailSpy struct {
	mu   sync.Mutex
	sent []Mail
}

func (m *mailSpy) Send(ctx context.Context, x Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, x)
	return nil
}

// mayor counts the SMS to the mayor, by escalation kind prefix.
func (g *smsSpy) to(phone string) []SMS {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []SMS
	for _, m := range g.sent {
		if m.To == phone {
			out = append(out, m)
		}
	}
	return out
}

const mayor = "+6281100000001"

func (f *fixture) tick(d time.Duration) (due, sent int) {
	f.t.Helper()
	f.clock.Advance(d)
	due = must[int](f.t)(f.svc.CheckSLAs(ctx))
	sent = must[int](f.t)(f.svc.FlushOutbox(ctx))
	return due, sent
}

// TestSeveralAgenciesEachTheirOwnClock: a complaint forwarded to two
// agencies; one answers, the other misses its hour: one SMS to the mayor,
// naming it, once across a crash between intent and send.
func TestSeveralAgenciesEachTheirOwnClock(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.anonymous("Banjir dan lampu mati di Jl. Kenjeran")
	fw := must[*cc112.Complaint](t)(f.svc.Forward(ctx, c.ID, []string{"pupr", "pln"}, "", ""))
	if len(fw.Forwards) != 2 || fw.Forwards[1].Agency != "pln" || !fw.Forwards[1].ResponseDueAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("forwards %+v", fw.Forwards)
	}
	_, err := f.svc.Forward(ctx, c.ID, []string{"pupr", "pupr"}, "", "")
	wantCode(t, err, cc112.EInvalid)
	f.clock.Advance(30 * time.Minute)
	got := must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "pln", "Gardu diperbaiki", "", ""))
	if got.Status != cc112.ComplaintForwarded || got.Forwards[1].Status != cc112.ForwardAnswered {
		t.Fatalf("one answer of two: %+v", got)
	}
	_, err = f.svc.Respond(ctx, c.ID, "pln", "lagi", "", "")
	wantCode(t, err, cc112.EConflict)
	f.clock.Advance(30 * time.Minute)
	if due := must[int](t)(f.svc.CheckSLAs(ctx)); due != 1 {
		t.Fatalf("due %d, want the PUPR escalation only", due)
	}
	f.restart() // crash before sending
	if due, sent := f.tick(time.Second); due != 0 || sent != 1 {
		t.Fatalf("after restart: due %d sent %d", due, sent)
	}
	m := f.sms.to(mayor)
	if len(m) != 1 || !strings.Contains(m[0].Text, "PUPR") || strings.Contains(m[0].Text, "PLN") {
		t.Fatalf("mayor SMS %+v", m)
	}
	f.restart()
	f.tick(time.Hour)
	if n := len(f.sms.to(mayor)); n != 1 {
		t.Fatalf("%d SMS to the mayor", n)
	}
	got = must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "pupr", "Saluran dibersihkan", "", ""))
	if got.Status != cc112.ComplaintResponded || got.Forwards[0].EscalatedAt == nil || got.Forwards[1].EscalatedAt != nil {
		t.Fatalf("after both answered: %+v", got.Forwards)
	}
}

// TestReforwardNeedsReasonAndRestartsTheClock: the agency says not ours;
// the desk re-forwards with the reason and the new agency's hour starts.
func TestReforwardNeedsReasonAndRestartsTheClock(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.anonymous("Air PDAM tidak mengalir")
	f.forward(c.ID, "pupr")
	f.clock.Advance(50 * time.Minute)
	_, err := f.svc.Reforward(ctx, c.ID, "pupr", []string{"pdam"}, " ", "", "")
	wantCode(t, err, cc112.EInvalid)
	_, err = f.svc.Reforward(ctx, c.ID, "dkp", []string{"pdam"}, "bukan kami", "", "")
	wantCode(t, err, cc112.EConflict)
	got := must[*cc112.Complaint](t)(f.svc.Reforward(ctx, c.ID, "pupr", []string{"pdam"}, "Air bersih urusan PDAM", "", ""))
	if got.Forwards[0].Status != cc112.ForwardRejected || got.Forwards[0].Reason != "Air bersih urusan PDAM" ||
		got.Forwards[1].Agency != "pdam" || !got.Forwards[1].ResponseDueAt.Equal(t0.Add(110*time.Minute)) {
		t.Fatalf("re-forwarded %+v", got.Forwards)
	}
	if due, _ := f.tick(59 * time.Minute); due != 0 {
		t.Fatal("the rejected forward escalated")
	}
	if due, _ := f.tick(time.Minute); due != 1 || len(f.sms.to(mayor)) != 1 || !strings.Contains(f.sms.to(mayor)[0].Text, "PDAM") {
		t.Fatalf("due %d, sms %+v", due, f.sms.to(mayor))
	}
	// The agency team of pupr still sees it (it was forwarded there).
	if got.For(cc112.Viewer{Sight: cc112.SeeAgency, Agency: "pdam"}) == nil {
		t.Fatal("pdam cannot see its complaint")
	}
}

// TestTriageAlertOnceAcrossRestart: not forwarded at 15 minutes → one
// supervisor alert, not before, not twice after a restart.
func TestTriageAlertOnceAcrossRestart(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.anonymous("Trotoar rusak")
	if due, _ := f.tick(15*time.Minute - time.Second); due != 0 {
		t.Fatal("alerted before 15 minutes")
	}
	if l := must[cc112.Page[*cc112.Complaint]](t)(f.svc.Complaints(ComplaintFilter{Status: "overdue"})); len(l.Items) != 0 {
		t.Fatal("overdue before its triage SLA")
	}
	if due, _ := f.tick(time.Second); due != 1 {
		t.Fatalf("due %d at 15 minutes", due)
	}
	got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID))
	if got.TriageAlertAt == nil || !got.TriageAlertAt.Equal(t0.Add(15*time.Minute)) {
		t.Fatalf("alert %v", got.TriageAlertAt)
	}
	if l := must[cc112.Page[*cc112.Complaint]](t)(f.svc.Complaints(ComplaintFilter{Status: "overdue"})); len(l.Items) != 1 {
		t.Fatal("not in the desk's overdue list past its triage SLA")
	}
	f.restart()
	if due, _ := f.tick(time.Minute); due != 0 {
		t.Fatal("alerted twice")
	}
	if len(f.sms.sent) != 0 {
		t.Fatal("a triage alert is the desk's, not an SMS")
	}
}

// TestFeedbackEscalationOnceAcrossRestart: a complaint answered but never
// fed back to the citizen sends the mayor one SMS at 24 h.
func TestFeedbackEscalationOnceAcrossRestart(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.anonymous("Sampah tidak diangkut")
	f.forward(c.ID, "dkp")
	f.clock.Advance(10 * time.Minute)
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "dkp", "Diangkut sore ini", "", ""))
	if due, _ := f.tick(24*time.Hour - 10*time.Minute - time.Second); due != 0 {
		t.Fatal("escalated before 24 h")
	}
	f.clock.Advance(time.Second)
	if due := must[int](t)(f.svc.CheckSLAs(ctx)); due != 1 {
		t.Fatalf("due %d at 24 h", due)
	}
	f.restart() // the intent is journaled, not sent
	if due, sent := f.tick(0); due != 0 || sent != 1 {
		t.Fatalf("after restart due %d sent %d", due, sent)
	}
	f.restart()
	f.tick(time.Hour)
	m := f.sms.to(mayor)
	if len(m) != 1 || !strings.Contains(m[0].Text, "umpan balik") || !strings.Contains(m[0].Text, c.Number) {
		t.Fatalf("mayor SMS %+v", m)
	}
}

// TestCitizenToldAtEachStepAndRates: SMS notices at receipt (with the
// tracking link and token), forward, answer and closing; tidak puas
// reopens to the desk; an e-mail complaint is told by e-mail.
func TestCitizenToldAtEachStepAndRates(t *testing.T) {
	mails := &mailSpy{}
	f := newFixture(t, Config{Mail: mails, BaseURL: "https://cc112.example/", TokenKey: []byte("k")})
	c := f.complaint("Lampu jalan mati di Jl. Darmo")
	f.tick(0)
	f.forward(c.ID, "pln")
	f.restart() // notices journaled before a crash still go, with the token
	f.tick(0)
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "pln", "Lampu diganti", "", ""))
	must[*cc112.Complaint](t)(f.svc.Feedback(ctx, c.ID, "Lampu sudah menyala", "", ""))
	f.tick(0)
	m := f.sms.to("+6281234567890")
	if len(m) != 4 {
		t.Fatalf("%d notices: %+v", len(m), m)
	}
	if !strings.Contains(m[0].Text, "https://cc112.example/complaint#"+c.Number+":"+c.Token) ||
		!strings.Contains(m[1].Text, "PLN") || !strings.Contains(m[2].Text, "Lampu diganti") || !strings.Contains(m[3].Text, "Lampu sudah menyala") {
		t.Fatalf("notices %+v", m)
	}
	_, err := f.svc.Rate(ctx, c.Number, c.Token, "meh", "")
	wantCode(t, err, cc112.EInvalid)
	_, err = f.svc.Rate(ctx, c.Number, c.Token, cc112.RatingNotSatisfied, "")
	wantCode(t, err, cc112.EInvalid)
	_, err = f.svc.Rate(ctx, c.Number, "wrong", cc112.RatingSatisfied, "")
	wantCode(t, err, cc112.ENotFound)
	pub := must[*PublicComplaint](t)(f.svc.Rate(ctx, c.Number, c.Token, cc112.RatingNotSatisfied, "Masih mati malam ini"))
	if pub.Status != cc112.ComplaintReceived || pub.Reopened != 1 || pub.CanRate {
		t.Fatalf("after tidak puas %+v", pub)
	}
	got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID))
	if got.RatingText != "Masih mati malam ini" || !got.TriageDueAt.Equal(f.clock.Now().Add(15*time.Minute)) {
		t.Fatalf("reopened %+v", got)
	}
	must[*cc112.Complaint](t)(f.svc.Forward(ctx, c.ID, []string{"pln"}, "", ""))
	must[*cc112.Complaint](t)(f.svc.Feedback(ctx, c.ID, "Kabel diganti", "", ""))
	pub = must[*PublicComplaint](t)(f.svc.Rate(ctx, c.Number, c.Token, cc112.RatingSatisfied, ""))
	if pub.Status != cc112.ComplaintClosed || pub.Rating != cc112.RatingSatisfied {
		t.Fatalf("after puas %+v", pub)
	}
	_, err = f.svc.Rate(ctx, c.Number, c.Token, cc112.RatingSatisfied, "")
	wantCode(t, err, cc112.EConflict)

	e := must[*Filed](t)(f.svc.FileComplaint(ctx, NewComplaint{Channel: "email", Email: "Warga@Example.ID", Phone: "081234567890", Text: "Jalan rusak"}))
	f.tick(0)
	if len(mails.sent) != 1 || mails.sent[0].To != "warga@example.id" || !strings.Contains(mails.sent[0].Text, e.Number) {
		t.Fatalf("mail notices %+v", mails.sent)
	}
	// The same citizen by phone across channels.
	if len(e.SameCitizen) != 1 || e.SameCitizen[0] != c.Number || e.Citizen != "+6281234567890" {
		t.Fatalf("not recognised: %q %v", e.Citizen, e.SameCitizen)
	}
}

// TestRepeatPlaceAndTopicLinked: the same category within 150 m and 30
// days links to the first; another category or farther does not.
func TestRepeatPlaceAndTopicLinked(t *testing.T) {
	f := newFixture(t, Config{})
	file := func(cat string, dn float64) *Filed {
		p := near(tugu, dn, 0)
		return must[*Filed](t)(f.svc.FileComplaint(ctx, NewComplaint{Text: "x", Category: cat, Location: &p}))
	}
	a := file("road", 0)
	b := file("road", 100)
	c := file("road", 240) // 140 m from b: a repeat of b, so of a
	d := file("waste", 0)
	e := file("road", 600)
	f.clock.Advance(31 * 24 * time.Hour)
	g := file("road", 0)
	if b.RepeatOf != a.Number || c.RepeatOf != a.Number || d.RepeatOf != "" || e.RepeatOf != "" || g.RepeatOf != "" {
		t.Fatalf("repeats b=%q c=%q d=%q e=%q g=%q", b.RepeatOf, c.RepeatOf, d.RepeatOf, e.RepeatOf, g.RepeatOf)
	}
	f.restart()
	if got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID)); got.RepeatOf != a.Number {
		t.Fatalf("replay links differently: %q", got.RepeatOf)
	}
}
