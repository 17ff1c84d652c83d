package callcenter

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"context"

	"cc112"
	"cc112/geo"
)

func (f *fixture) complaint(text string) *Filed {
	f.t.Helper()
	c, err := f.svc.FileComplaint(ctx, NewComplaint{Text: text, Phone: "081234567890", Name: "Sari", Category: "road", Location: &tugu})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// anonymous files a complaint without a phone or e-mail: no notices to
// the citizen, so the SMS counted are the mayor's alone.
func (f *fixture) anonymous(text string) *Filed {
	f.t.Helper()
	return must[*Filed](f.t)(f.svc.FileComplaint(ctx, NewComplaint{Text: text, Category: "road", Location: &tugu}))
}

func (f *fixture) forward(id, agency string) *cc112.Complaint {
	f.t.Helper()
	return must[*cc112.Complaint](f.t)(f.svc.Forward(ctx, id, []string{agency}, "", ""))
}

func TestComplaintLifecycleAndTracking(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.complaint("Jalan berlubang di Jl. Pahlawan")
	if !strings.HasPrefix(c.Number, "ADU-20261122-") || len(c.Token) != 32 || c.Status != cc112.ComplaintReceived ||
		c.Phone != "+6281234567890" || !c.FeedbackDueAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("filed %+v", c)
	}
	if c.TokenHash != "" {
		t.Fatal("token hash leaked in the answer")
	}
	pub := must[*PublicComplaint](t)(f.svc.Track(c.Number, c.Token))
	if pub.Status != cc112.ComplaintReceived || pub.Number != c.Number {
		t.Fatalf("tracked %+v", pub)
	}
	for _, tok := range []string{"", "wrong", strings.ToUpper(c.Token)} {
		_, err := f.svc.Track(c.Number, tok)
		wantCode(t, err, cc112.ENotFound)
	}
	_, err := f.svc.Respond(ctx, c.ID, "", "done", "", "")
	wantCode(t, err, cc112.EConflict)
	_, err = f.svc.Forward(ctx, c.ID, []string{"nasa"}, "", "")
	wantCode(t, err, cc112.EInvalid)
	fw := f.forward(c.Number, "pupr") // by number works too
	if fw.Status != cc112.ComplaintForwarded || !fw.ResponseDueAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("forwarded %+v", fw)
	}
	_, err = f.svc.Forward(ctx, c.ID, []string{"dkp"}, "", "")
	wantCode(t, err, cc112.EConflict)
	f.clock.Advance(20 * time.Minute)
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "", "Tim menambal besok pagi", "", ""))
	closed := must[*cc112.Complaint](t)(f.svc.Feedback(ctx, c.ID, "Jalan akan ditambal besok pagi", "", ""))
	if closed.Status != cc112.ComplaintClosed || closed.Response == "" || closed.EscalatedAt != nil {
		t.Fatalf("closed %+v", closed)
	}
	pub = must[*PublicComplaint](t)(f.svc.Track(c.Number, c.Token))
	if pub.Feedback != "Jalan akan ditambal besok pagi" || pub.Status != cc112.ComplaintClosed {
		t.Fatalf("tracked %+v", pub)
	}
	// A token still works after a restart (its hash is in the journal).
	f.restart()
	must[*PublicComplaint](t)(f.svc.Track(c.Number, c.Token))
}

func TestComplaintValidation(t *testing.T) {
	f := newFixture(t, Config{})
	bad := 300.0
	for _, n := range []NewComplaint{
		{Text: ""}, {Text: "   "}, {Text: strings.Repeat("é", MaxComplaintText+1)},
		{Text: "x", Channel: "fax"}, {Text: "x", Category: "aliens"}, {Text: "x", Phone: "abc"},
		{Text: "x", Location: &geo.Point{Lat: bad, Lon: 0}},
	} {
		_, err := f.svc.FileComplaint(ctx, n)
		wantCode(t, err, cc112.EInvalid)
	}
	if _, err := f.svc.FileComplaint(ctx, NewComplaint{Text: strings.Repeat("é", MaxComplaintText)}); err != nil {
		t.Fatalf("4000 characters refused: %v", err)
	}
}

func TestComplaintListAndReport(t *testing.T) {
	f := newFixture(t, Config{})
	a := f.complaint("Sampah menumpuk di pasar")
	b := f.complaint("Lampu jalan mati")
	f.forward(a.ID, "dkp")
	f.clock.Advance(48 * time.Hour)
	c := f.complaint("Air PDAM keruh")
	f.forward(c.ID, "pdam")
	tests := []struct {
		f    ComplaintFilter
		want []string
	}{
		{ComplaintFilter{}, []string{c.ID, b.ID, a.ID}},
		{ComplaintFilter{Agency: "dkp"}, []string{a.ID}},
		{ComplaintFilter{Status: "received"}, []string{b.ID}},
		{ComplaintFilter{Query: "lampu"}, []string{b.ID}},
		{ComplaintFilter{Query: c.Number}, []string{c.ID}},
		{ComplaintFilter{From: t0.Add(time.Hour)}, []string{c.ID}},
		{ComplaintFilter{To: t0.Add(time.Hour)}, []string{b.ID, a.ID}},
		{ComplaintFilter{Status: "overdue"}, []string{b.ID, a.ID}}, // dkp never answered, b never got feedback
		{ComplaintFilter{District: "nowhere"}, nil},
	}
	for _, tt := range tests {
		list := must[cc112.Page[*cc112.Complaint]](t)(f.svc.Complaints(tt.f)).Items
		var ids []string
		for _, x := range list {
			ids = append(ids, x.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
			t.Errorf("%+v: got %v want %v", tt.f, ids, tt.want)
		}
	}
	r := must[*Report](t)(f.svc.Report(t0.Add(-time.Hour), t0.Add(72*time.Hour), "day"))
	if r.Total != 3 || len(r.Buckets) != 4 || r.Buckets[0] != "2026-11-22" {
		t.Fatalf("report %+v", r)
	}
	if r.Category[0].Key == "" || r.Category[0].Total != 3 || fmt.Sprint(r.Category[0].Series) != "[2 0 1 0]" {
		t.Fatalf("category rows %+v", r.Category)
	}
	_, err := f.svc.Report(t0, t0.Add(-time.Hour), "day")
	wantCode(t, err, cc112.EInvalid)
}

// TestResponseSLAEscalatesOnce: the SMS to the mayor goes at 60 minutes,
// not before, not twice, and not again after a restart.
func TestResponseSLAEscalatesOnce(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.anonymous("Saluran air tersumbat")
	f.forward(c.ID, "pupr")
	step := func(d time.Duration) (int, int) {
		t.Helper()
		f.clock.Advance(d)
		due := must[int](t)(f.svc.CheckSLAs(ctx))
		sent := must[int](t)(f.svc.FlushOutbox(ctx))
		return due, sent
	}
	if due, _ := step(59*time.Minute + 59*time.Second); due != 0 || f.sms.count() != 0 {
		t.Fatalf("escalated before the SLA: due %d sms %d", due, f.sms.count())
	}
	if due, sent := step(time.Second); due != 1 || sent != 1 {
		t.Fatalf("at 60 min: due %d sent %d", due, sent)
	}
	m := f.sms.sent[0]
	if m.To != "+6281100000001" || !strings.Contains(m.Text, c.Number) || !strings.Contains(m.Text, "PUPR") || m.ID == "" {
		t.Fatalf("sms %+v", m)
	}
	got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID))
	if got.EscalatedAt == nil || !got.EscalatedAt.Equal(t0.Add(time.Hour)) || got.Escalation.Status != EscalationSent {
		t.Fatalf("complaint %+v %+v", got, got.Escalation)
	}
	if due, sent := step(time.Hour); due != 0 || sent != 0 || f.sms.count() != 1 {
		t.Fatalf("escalated twice: due %d sent %d", due, sent)
	}
	f.restart()
	if due, sent := step(time.Minute); due != 0 || sent != 0 || f.sms.count() != 1 {
		t.Fatalf("after restart: due %d sent %d", due, sent)
	}
	// The agency may still answer late; nothing is sent again.
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "", "Sudah dibersihkan", "", ""))
}

func TestRespondedInTimeIsNotEscalated(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.complaint("Pohon tumbang menutup jalan")
	f.forward(c.ID, "dkp")
	f.clock.Advance(59 * time.Minute)
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c.ID, "", "Tim menuju lokasi", "", ""))
	f.clock.Advance(2 * time.Hour)
	if due := must[int](t)(f.svc.CheckSLAs(ctx)); due != 0 {
		t.Fatalf("escalated an answered complaint")
	}
}

// TestEscalationSurvivesCrashBeforeSend: the intent is journaled, the
// process dies before sending; the restarted one sends it exactly once.
func TestEscalationSurvivesCrashBeforeSend(t *testing.T) {
	f := newFixture(t, Config{ResponseSLA: 30 * time.Minute})
	c := f.anonymous("Banjir di gang")
	f.forward(c.ID, "bpbd")
	f.clock.Advance(30 * time.Minute)
	if due := must[int](t)(f.svc.CheckSLAs(ctx)); due != 1 {
		t.Fatalf("due %d", due)
	}
	f.restart() // crash: no flush happened
	got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID))
	if got.EscalatedAt == nil || got.Escalation.Status != EscalationPending {
		t.Fatalf("intent lost: %+v", got.Escalation)
	}
	if due := must[int](t)(f.svc.CheckSLAs(ctx)); due != 0 {
		t.Fatal("a second intent after restart")
	}
	if sent := must[int](t)(f.svc.FlushOutbox(ctx)); sent != 1 || f.sms.count() != 1 {
		t.Fatalf("sent %d", sent)
	}
	f.restart()
	if sent := must[int](t)(f.svc.FlushOutbox(ctx)); sent != 0 || f.sms.count() != 1 {
		t.Fatalf("resent after restart")
	}
}

// webhookServer fails the first `failures` requests, then takes messages
// and drops repeats of an id, as an idempotent SMS relay does.
type webhookServer struct {
	mu       sync.Mutex
	failures int
	requests int
	ids      map[string]int
	bodies   []string
}

func (w *webhookServer) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.requests++
	if w.requests <= w.failures {
		http.Error(rw, "gateway busy", http.StatusBadGateway)
		return
	}
	w.ids[r.Header.Get("Idempotency-Key")]++
	w.bodies = append(w.bodies, string(b))
	rw.WriteHeader(http.StatusAccepted)
}

func TestWebhookRetryWithBackoff(t *testing.T) {
	hook := &webhookServer{failures: 2, ids: map[string]int{}}
	srv := httptest.NewServer(hook)
	defer srv.Close()
	f := newFixture(t, Config{SMS: &WebhookSMS{URL: srv.URL}, RetryBase: 10 * time.Second})
	c := f.anonymous("Parkir liar")
	f.forward(c.ID, "dishub")
	f.clock.Advance(time.Hour)
	must[int](t)(f.svc.CheckSLAs(ctx))
	if sent := must[int](t)(f.svc.FlushOutbox(ctx)); sent != 0 {
		t.Fatal("sent through a failing gateway")
	}
	got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID))
	e := got.Escalation
	if e.Attempts != 1 || !strings.Contains(e.LastError, "502") || !e.NextAttemptAt.Equal(f.clock.Now().Add(10*time.Second)) {
		t.Fatalf("failure not visible: %+v", e)
	}
	// Not before the backoff; then 20 s after the second failure.
	f.clock.Advance(9 * time.Second)
	must[int](t)(f.svc.FlushOutbox(ctx))
	if hook.requests != 1 {
		t.Fatalf("retried before the backoff: %d requests", hook.requests)
	}
	f.clock.Advance(time.Second)
	must[int](t)(f.svc.FlushOutbox(ctx))
	e = must[*cc112.Complaint](t)(f.svc.Complaint(c.ID)).Escalation
	if e.Attempts != 2 || !e.NextAttemptAt.Equal(f.clock.Now().Add(20*time.Second)) {
		t.Fatalf("second backoff: %+v", e)
	}
	f.clock.Advance(20 * time.Second)
	if sent := must[int](t)(f.svc.FlushOutbox(ctx)); sent != 1 {
		t.Fatal("not sent after the gateway recovered")
	}
	e = must[*cc112.Complaint](t)(f.svc.Complaint(c.ID)).Escalation
	if e.Status != EscalationSent || e.Attempts != 3 || hook.ids[e.ID] != 1 {
		t.Fatalf("after success: %+v, ids %v", e, hook.ids)
	}
	if !strings.Contains(hook.bodies[0], `"id":"`+e.ID+`"`) || !strings.Contains(hook.bodies[0], `"to":"+6281100000001"`) {
		t.Fatalf("webhook body %s", hook.bodies[0])
	}
}

// TestRunLoopAnHourInMilliseconds drives Run with the fake clock.
func TestRunLoopAnHourInMilliseconds(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.anonymous("Pedagang kaki lima menutup trotoar")
	f.forward(c.ID, "satpolpp")
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { f.svc.Run(rctx, time.Millisecond); close(done) }()
	for i := 0; i < 120 && f.sms.count() == 0; i++ {
		f.clock.Advance(time.Minute)
		time.Sleep(2 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.sms.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if f.sms.count() != 1 {
		t.Fatalf("%d SMS", f.sms.count())
	}
	got := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID))
	if got.EscalatedAt.Before(t0.Add(time.Hour)) {
		t.Fatalf("escalated at %v, before the hour", got.EscalatedAt)
	}
}

func TestMissingMayorPhoneRecordsSkip(t *testing.T) {
	f := newFixture(t, Config{MayorPhone: "-"})
	f.svc.cfg.MayorPhone = ""
	c := f.anonymous("Bau sampah")
	f.forward(c.ID, "dkp")
	f.clock.Advance(time.Hour)
	must[int](t)(f.svc.CheckSLAs(ctx))
	must[int](t)(f.svc.FlushOutbox(ctx))
	e := must[*cc112.Complaint](t)(f.svc.Complaint(c.ID)).Escalation
	if e.Status != EscalationSkipped || f.sms.count() != 0 {
		t.Fatalf("%+v", e)
	}
}
