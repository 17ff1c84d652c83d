package ui

import (
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"cc112"
	"cc112/callcenter"
	"cc112/inbound"
)

// The Media Center's inbound channels: the SMS gateway (its API key), the
// signed webhook of chat and social-media bridges, raw e-mail from a mail
// gateway (signed the same way), and the desk typing in a phone call or a
// letter. Machines get the complaint's number back, never its token: the
// citizen gets the tracking link by SMS or e-mail.

// receipt is what a machine channel learns of the complaint it filed.
type receipt struct {
	ID        string `json:"id"`
	Number    string `json:"number"`
	Status    string `json:"status"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

func receiptOf(f *callcenter.Filed) receipt {
	return receipt{ID: f.ID, Number: f.Number, Status: f.Status, Duplicate: f.Duplicate}
}

func (s *Server) intake() *inbound.Intake { return &inbound.Intake{Calls: s.calls} }

// postInboundSMS takes an SMS from the gateway: {from, text, received_at}.
func (s *Server) postInboundSMS(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	if s.machineCaller(r) && !secretEqual(r.Header.Get("X-API-Key"), s.set.AMLAPIKey) {
		s.writeError(w, r, cc112.Errorf(cc112.EUnauthenticated, "inbound SMS needs the SMS gateway's X-API-Key (-aml-api-key)"))
		return
	}
	var m inbound.SMS
	if !s.readJSON(w, r, &m) {
		return
	}
	filed, err := s.intake().SMS(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, receiptOf(filed))
}

// signedBody reads a body of at most limit bytes and checks its signature.
func (s *Server) signedBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = cc112.Errorf(cc112.EInvalid, "could not read the request body: %v", err)
		}
		s.writeError(w, r, err)
		return nil, false
	}
	if err := inbound.Verify(s.set.InboundWebhookSecret, r.Header.Get(inbound.SignatureHeader),
		r.Header.Get(inbound.TimestampHeader), body, s.eng.Clock().Now()); err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	return body, true
}

// postInboundWebhook takes one signed chat or social-media message.
func (s *Server) postInboundWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "Content-Type must be application/json"))
		return
	}
	body, ok := s.signedBody(w, r, inbound.MaxWebhookBody)
	if !ok {
		return
	}
	var m inbound.WebhookMessage
	if err := decodeStrict(body, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	filed, err := s.intake().Webhook(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, receiptOf(filed))
}

// postInboundEmail takes one raw RFC 5322 message (message/rfc822), signed
// like the webhook: 201 with the complaint, or 202 with the quarantine
// entry when it cannot be one (the reason says why).
func (s *Server) postInboundEmail(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "message/rfc822" {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "Content-Type must be message/rfc822 (the raw e-mail)"))
		return
	}
	raw, ok := s.signedBody(w, r, inbound.MaxMail)
	if !ok {
		return
	}
	res, err := s.intake().Mail(r.Context(), "webhook", raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if res.Filed != nil {
		writeJSON(w, http.StatusCreated, receiptOf(res.Filed))
		return
	}
	q := res.Quarantined
	writeJSON(w, http.StatusAccepted, map[string]any{"quarantined": map[string]any{"id": q.ID, "reason": q.Reason}})
}

// postComplaintEntry is the desk typing in a complaint that came by phone
// or by letter; the answer holds the tracking token to read out or write
// back.
func (s *Server) postComplaintEntry(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	s.fileComplaint(w, r, "channel must be phone or letter (other channels come in by themselves)", "phone", "letter")
}

// publicPerMinute is how many public statistics or rating requests one
// address may make a minute (a page load asks for two statistics).
const publicPerMinute = 60

// publicAllowed takes a token of the public routes' limit, or answers 429.
func (s *Server) publicAllowed(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.publicLimit.allow(clientKey(r))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.writeError(w, r, cc112.Errorf(cc112.ERateLimited, "terlalu banyak permintaan dari alamat ini; coba lagi sebentar lagi (too many requests from this address)"))
	}
	return ok
}

// postComplaintRating is the citizen's puas / tidak puas with their token.
func (s *Server) postComplaintRating(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) || !s.publicAllowed(w, r) {
		return
	}
	var req struct {
		Token  string `json:"token"`
		Rating string `json:"rating"`
		Text   string `json:"text"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	pub, err := s.calls.Rate(r.Context(), r.PathValue("ref"), req.Token, req.Rating, req.Text)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pub)
}

// listQuarantine lists refused e-mails (without their raw bytes; ?raw=1
// adds them, for reading the message).
func (s *Server) listQuarantine(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	req, err := pageParams(r.URL.Query())
	var page cc112.Page[*cc112.MailQuarantined]
	if err == nil {
		page, err = s.calls.Quarantined(req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := cc112.Page[map[string]any]{Items: make([]map[string]any, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, q := range page.Items {
		e := map[string]any{"id": q.ID, "at": q.At, "source": q.Source, "from": q.From, "subject": q.Subject,
			"message_id": q.MessageID, "size": q.Size, "reason": q.Reason}
		if r.URL.Query().Get("raw") == "1" {
			e["raw"] = string(q.Raw)
		}
		out.Items = append(out.Items, e)
	}
	writeJSON(w, http.StatusOK, out)
}

// inlineTypes are the attachment types the desk's browser may show inline
// (photos); anything else downloads as bytes.
var inlineTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}

// getComplaintAttachment sends one file of a complaint (an e-mailed photo)
// to the desk, or to the agency the complaint went to. It runs sandboxed:
// a file is never a page of ours.
func (s *Server) getComplaintAttachment(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "attachment must be a number from 0, not %q", r.PathValue("n")))
		return
	}
	c, a, err := s.calls.Attachment(r.PathValue("id"), n)
	if c != nil && c.For(s.viewer(r)) == nil {
		err = cc112.Errorf(cc112.ENotFound, "complaint %q not found", r.PathValue("id"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	ctype, disposition := "application/octet-stream", "attachment"
	if slices.Contains(inlineTypes, a.Type) {
		ctype, disposition = a.Type, "inline"
	}
	h.Set("Content-Type", ctype)
	if d := mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}); d != "" {
		disposition = d
	}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(a.Data)
}
