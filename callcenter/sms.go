package callcenter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// SMS is one text message. ID is stable across retries, so that a gateway
// can drop a repeat (a crash between sending and recording the send).
type SMS struct {
	ID   string `json:"id"`
	To   string `json:"to"`
	Text string `json:"text"`
}

// SMSGateway sends text messages. Send returns nil only once the gateway
// took the message.
type SMSGateway interface {
	Send(ctx context.Context, m SMS) error
}

// WebhookSMS posts each message as JSON {to, text, id} to an HTTP endpoint
// (an SMS provider's or a small relay's), with the id also as the
// Idempotency-Key header. Any 2xx answer means taken.
type WebhookSMS struct {
	URL    string
	Client *http.Client // nil: a client with a 10 s timeout
}

var _ SMSGateway = (*WebhookSMS)(nil)

// Send posts one message.
func (w *WebhookSMS) Send(ctx context.Context, m SMS) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.ID)
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms webhook: %w", err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("sms webhook: %s: %s", res.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// LogSMS writes messages to the log instead of sending them (the demo).
type LogSMS struct{ Logger *slog.Logger }

var _ SMSGateway = LogSMS{}

// Send logs one message.
func (l LogSMS) Send(ctx context.Context, m SMS) error {
	l.Logger.Warn("SMS (not sent: no -sms-webhook)", "id", m.ID, "to", m.To, "text", m.Text)
	return nil
}

// Mail is one e-mail notice to a citizen. ID is stable across retries
// (the Message-ID), so a resend after a crash is recognisable.
type Mail struct {
	ID      string
	To      string
	Subject string
	Text    string
}

// Mailer sends e-mail. Send returns nil only once the server took it.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// LogMail writes e-mails to the log instead of sending them (no -smtp-addr).
type LogMail struct{ Logger *slog.Logger }

var _ Mailer = LogMail{}

// Send logs one e-mail.
func (l LogMail) Send(ctx context.Context, m Mail) error {
	l.Logger.Warn("e-mail (not sent: no -smtp-addr)", "id", m.ID, "to", m.To, "subject", m.Subject)
	return nil
}
