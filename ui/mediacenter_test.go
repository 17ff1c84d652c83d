package ui

import (
	"encoding/csv"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/inbound"
)

// signed returns the inbound webhook's headers for body, at ts (Unix s).
func signed(secret string, ts int64, body string) []string {
	return []string{inbound.TimestampHeader, strconv.FormatInt(ts, 10), inbound.SignatureHeader, inbound.Sign([]byte(secret), ts, []byte(body))}
}

// TestInboundChannelsOverHTTP files a complaint through each channel of
// the Media Center as its real counterpart would call it, and checks who
// is refused: the SMS gateway without its key, webhooks with a bad, stale
// or missing signature (401, nothing journaled), an oversized e-mail
// (413), a malformed one (202, in the quarantine with its reason).
func TestInboundChannelsOverHTTP(t *testing.T) {
	s := newSecured(t)
	now := time.Now().Unix()
	nothingJournaled := func(label string, seq uint64) {
		t.Helper()
		for _, ev := range journaledSince(t, s, seq) {
			if ev != cc112.EvAuditRecorded {
				t.Errorf("%s journaled %s", label, ev)
			}
		}
	}

	// SMS from the gateway, with and without its key.
	sms := `{"from":"081234567890","text":"Jalan berlubang di Jl. Darmo","received_at":"2026-03-01T08:00:00Z"}`
	for _, h := range [][]string{nil, {"X-API-Key", "wrong"}} {
		seq := s.eng.LastSeq()
		if r := s.do("POST", "/api/v1/inbound/sms", sms, h...); r.status != 401 || r.errCode(t) != cc112.EUnauthenticated {
			t.Errorf("sms with %v: %d %s", h, r.status, r.body)
		}
		nothingJournaled("a refused SMS", seq)
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/inbound/sms", sms); r.status != 403 {
		t.Errorf("a user posting as the SMS gateway: %d", r.status)
	}
	var got struct {
		ID, Number, Status, Token string
	}
	expect(t, s.do("POST", "/api/v1/inbound/sms", sms, "X-API-Key", testAMLAPIKey), 201).decode(t, &got)
	if got.Token != "" || !strings.HasPrefix(got.Number, "ADU-") {
		t.Fatalf("sms receipt %+v (a machine never gets the token)", got)
	}
	c, err := s.calls.Complaint(got.ID)
	if err != nil || c.Channel != "sms" || c.Phone != "+6281234567890" || len(c.Messages) != 1 || c.Messages[0].To != "+6281234567890" {
		t.Fatalf("sms complaint %+v %v", c, err)
	}
	expect(t, s.do("POST", "/api/v1/inbound/sms", `{"from":"081234567890","text":"`+strings.Repeat("a", inbound.MaxSMSText+1)+`"}`, "X-API-Key", testAMLAPIKey), 400)

	// The signed webhook: good, wrong secret, tampered body, stale, missing.
	hook := `{"source":"whatsapp","message_id":"wamid.1","from":{"phone":"081234567890","name":"Budi"},"text":"Lampu mati","category":"streetlight"}`
	for name, h := range map[string][]string{
		"wrong secret": signed("not-the-secret", now, hook),
		"tampered":     signed(testWebhookSecret, now, strings.Replace(hook, "Lampu", "Lampu jalan", 1)),
		"stale":        signed(testWebhookSecret, now-600, hook),
		"unsigned":     nil,
	} {
		seq := s.eng.LastSeq()
		if r := s.do("POST", "/api/v1/inbound/webhook", hook, h...); r.status != 401 || r.errCode(t) != cc112.EUnauthenticated {
			t.Errorf("webhook %s: %d %s", name, r.status, r.body)
		}
		nothingJournaled("webhook "+name, seq)
	}
	expect(t, s.do("POST", "/api/v1/inbound/webhook", hook, signed(testWebhookSecret, now, hook)...), 201).decode(t, &got)
	w, _ := s.calls.Complaint(got.ID)
	if w.Channel != "social" || w.Source != "whatsapp" || w.Name != "Budi" || len(w.SameCitizen) != 1 || w.SameCitizen[0] != c.Number {
		t.Fatalf("webhook complaint %+v: the SMS sender not recognised", w)
	}
	var again struct{ ID string }
	expect(t, s.do("POST", "/api/v1/inbound/webhook", hook, signed(testWebhookSecret, now, hook)...), 201).decode(t, &again)
	if again.ID != got.ID {
		t.Fatal("a replayed message_id filed a second complaint")
	}

	// Raw e-mail: a published message, a malformed one, an oversized one.
	mail := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "inbound", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	post := func(body string) resp {
		return s.do("POST", "/api/v1/inbound/email", body, append(signed(testWebhookSecret, now, body), "Content-Type", "message/rfc822")...)
	}
	expect(t, post(mail("rfc5322-a.1.1.eml")), 201).decode(t, &got)
	if e, _ := s.calls.Complaint(got.ID); e.Channel != "email" || e.Email != "jdoe@machine.example" {
		t.Fatalf("e-mail complaint %+v", e)
	}
	var q struct {
		Quarantined struct{ ID, Reason string }
	}
	expect(t, post(mail("go-message-mailstring.eml")), 202).decode(t, &q)
	if !strings.Contains(q.Quarantined.Reason, "no sender") {
		t.Fatalf("quarantine %+v", q)
	}
	var page cc112.Page[map[string]any]
	expect(t, s.as(auth.Supervisor, "GET", "/api/v1/complaints/quarantine", ""), 200).decode(t, &page)
	list := page.Items
	if len(list) != 1 || list[0]["id"] != q.Quarantined.ID || list[0]["subject"] != "Your Name" {
		t.Fatalf("quarantine list %v", list)
	}
	expect(t, s.as(auth.Agency, "GET", "/api/v1/complaints/quarantine", ""), 403)
	big := "From: a@b.example\r\n\r\n" + strings.Repeat("x", inbound.MaxMail)
	seq := s.eng.LastSeq()
	expect(t, s.do("POST", "/api/v1/inbound/email", big, append(signed(testWebhookSecret, now, big), "Content-Type", "message/rfc822")...), 413)
	nothingJournaled("an oversized e-mail", seq)
	expect(t, s.do("POST", "/api/v1/inbound/email", mail("rfc5322-a.1.1.eml"), signed(testWebhookSecret, now, mail("rfc5322-a.1.1.eml"))...), 400) // JSON content type

	// Staff entry: phone and letter only; the public form: web only.
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/entry", `{"channel":"web","text":"x"}`), 400)
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/entry", `{"channel":"phone","text":"Pohon tumbang","phone":"081234567890"}`), 201)
	expect(t, s.do("POST", "/api/v1/complaints", `{"channel":"phone","text":"x"}`), 400)
}

func journaledSince(t *testing.T, s *secured, seq uint64) []string {
	t.Helper()
	var out []string
	if err := s.journal.Replay(t.Context(), seq, func(ev cc112.Event) error {
		out = append(out, ev.Type)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSeveralAgenciesRatingAndStatsOverHTTP: the desk forwards to two
// agencies, re-forwards one with its reason, the citizen rates tidak puas
// (reopened) with the token; the statistics answer JSON and CSV, and the
// public ones carry no point of a place.
func TestSeveralAgenciesRatingAndStatsOverHTTP(t *testing.T) {
	s := newSecured(t)
	var c struct{ ID, Number, Token string }
	expect(t, s.do("POST", "/api/v1/complaints", `{"text":"Pipa bocor","category":"water","phone":"081234567890","location":{"lat":-7.2458,"lon":112.7378}}`), 201).decode(t, &c)
	var fw cc112.Complaint
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c.ID+"/forward", `{"agencies":["pupr","dkp"]}`), 200).decode(t, &fw)
	if len(fw.Forwards) != 2 {
		t.Fatalf("forwards %+v", fw.Forwards)
	}
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c.ID+"/forward", `{"from":"pupr","agencies":["pdam"]}`), 400) // no reason
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c.ID+"/forward", `{"from":"pupr","agencies":["pdam"],"reason":"Pipa air urusan PDAM"}`), 200)
	// The agency user of dkp answers its own part only.
	expect(t, s.as(auth.Agency, "POST", "/api/v1/complaints/"+c.ID+"/respond", `{"text":"Bukan sampah, sudah dicek"}`), 200)
	expect(t, s.as(auth.Agency, "POST", "/api/v1/complaints/"+c.ID+"/respond", `{"text":"lagi"}`), 409)
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c.ID+"/feedback", `{"text":"PDAM menambal pipa"}`), 200)
	rate := func(body string) resp { return s.do("POST", "/api/v1/complaints/"+c.Number+"/rating", body) }
	expect(t, rate(`{"token":"wrong","rating":"puas"}`), 404)
	expect(t, rate(`{"token":"`+c.Token+`","rating":"tidak_puas"}`), 400) // the reason is required
	var pub callcenter.PublicComplaint
	expect(t, rate(`{"token":"`+c.Token+`","rating":"tidak_puas","text":"Masih bocor"}`), 200).decode(t, &pub)
	if pub.Status != cc112.ComplaintReceived || pub.Reopened != 1 || len(pub.Agencies) != 3 {
		t.Fatalf("after tidak puas %+v", pub)
	}

	// The fixture's engine runs on the real clock: the range is the day up to now.
	from := url.QueryEscape(time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339))
	var st callcenter.Stats
	expect(t, s.as(auth.Supervisor, "GET", "/api/v1/complaints/stats?group_by=agency&from="+from, ""), 200).decode(t, &st)
	if st.Total != 1 || len(st.Rows) != 3 || st.Overall.NotSatisfied != 1 {
		t.Fatalf("stats %+v", st)
	}
	expect(t, s.as(auth.Agency, "GET", "/api/v1/complaints/stats", ""), 403)
	expect(t, s.as(auth.Supervisor, "GET", "/api/v1/complaints/stats?group_by=street", ""), 400)
	expect(t, s.as(auth.Supervisor, "GET", "/api/v1/complaints/stats?format=xml", ""), 400)
	r := expect(t, s.as(auth.Supervisor, "GET", "/api/v1/complaints/stats?group_by=category&from="+from+"&format=csv", ""), 200)
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil || len(rows) != 1+1+3 || rows[1][0] != "category" || rows[1][1] != "water" || rows[1][2] != "1" || rows[2][0] != "agency" {
		t.Fatalf("csv %v %v", rows, err)
	}
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Errorf("csv content type %q", r.header.Get("Content-Type"))
	}
	// Public: no token needed, no personal data (no phone, no text, no point).
	r = expect(t, s.do("GET", "/api/v1/public/complaints/stats?from="+from, ""), 200)
	for _, leak := range []string{"081234567890", "6281234567890", "Pipa bocor", "-7.2458", "Masih bocor"} {
		if strings.Contains(string(r.body), leak) {
			t.Errorf("public stats leak %q: %s", leak, r.body)
		}
	}
	expect(t, s.do("GET", "/api/v1/public/districts", ""), 200)
	// The public routes are limited per address.
	limited := 0
	for range publicPerMinute + 1 {
		if r := s.do("GET", "/api/v1/public/complaints/stats", ""); r.status == 429 {
			limited++
			if r.header.Get("Retry-After") == "" || r.errCode(t) != cc112.ERateLimited {
				t.Fatalf("429 without Retry-After: %s", r.body)
			}
		}
	}
	if limited == 0 {
		t.Fatal("the public statistics are not limited")
	}
}

// expect checks a response's status and returns it.
func expect(t *testing.T, r resp, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// TestComplaintAttachmentOverHTTP: an e-mailed photo is served to the desk
// inline and sandboxed, to an agency only once the complaint went to it,
// to nobody else.
func TestComplaintAttachmentOverHTTP(t *testing.T) {
	s := newSecured(t)
	photo := "\x89PNG-photo-bytes"
	mail := "From: Warga <warga@example.id>\r\nSubject: foto\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nLubang di jalan\r\n--b\r\nContent-Type: image/png\r\n" +
		"Content-Disposition: attachment; filename=lubang.png\r\n\r\n" + photo + "\r\n--b--\r\n"
	var c struct{ ID string }
	expect(t, s.do("POST", "/api/v1/inbound/email", mail, append(signed(testWebhookSecret, time.Now().Unix(), mail), "Content-Type", "message/rfc822")...), 201).decode(t, &c)
	path := "/api/v1/complaints/" + c.ID + "/attachments/0"
	r := expect(t, s.as(auth.Dispatcher, "GET", path, ""), 200)
	if string(r.body) != photo || r.header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(r.header.Get("Content-Disposition"), "inline") || !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("attachment %q %v", r.body, r.header)
	}
	expect(t, s.as(auth.Agency, "GET", path, ""), 404) // not forwarded to dkp yet
	expect(t, s.as(auth.Dispatcher, "POST", "/api/v1/complaints/"+c.ID+"/forward", `{"agencies":["dkp"]}`), 200)
	expect(t, s.as(auth.Agency, "GET", path, ""), 200)
	expect(t, s.as(auth.Police, "GET", path, ""), 403)
	expect(t, s.do("GET", path, ""), 401)
	expect(t, s.as(auth.Dispatcher, "GET", "/api/v1/complaints/"+c.ID+"/attachments/1", ""), 404)
	expect(t, s.as(auth.Dispatcher, "GET", "/api/v1/complaints/"+c.ID+"/attachments/x", ""), 400)
	var full cc112.Complaint
	expect(t, s.as(auth.Dispatcher, "GET", "/api/v1/complaints/"+c.ID, ""), 200).decode(t, &full)
	if len(full.Attachments) != 1 || full.Attachments[0].Data != nil || full.Attachments[0].Size != len(photo) {
		t.Fatalf("the complaint's attachments %+v (bytes only on their own route)", full.Attachments)
	}
}
