package inbound

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"cc112"
	"cc112/callcenter"
	"cc112/geo"
)

// The signed webhook of chat and social-media bridges (a WhatsApp Business
// relay, a social-media listener): one JSON message per request, signed
// with a shared secret (-inbound-webhook-secret).
//
//	POST /api/v1/inbound/webhook
//	X-CC112-Timestamp: 1764990000
//	X-CC112-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
//	{"source":"whatsapp","message_id":"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA","from":{"phone":"+6281234567890","name":"Budi"},
//	 "text":"Lampu jalan mati di Jl. Darmo","category":"streetlight","location":{"lat":-7.2875,"lon":112.7377}}
//
// The timestamp is Unix seconds; a request more than MaxSkew away from the
// server's clock is refused, so a captured request cannot be replayed
// later; within the window, the message_id files it once.

// Header names of the signed webhook.
const (
	SignatureHeader = "X-CC112-Signature"
	TimestampHeader = "X-CC112-Timestamp"
	// MaxSkew is how far a signed request's timestamp may be from now.
	MaxSkew = 5 * time.Minute
	// MaxWebhookBody bounds one webhook request.
	MaxWebhookBody = 64 << 10
)

// Sign returns the signature header's value for body at timestamp ts.
func Sign(secret []byte, ts int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signed request's headers against its body at now: an
// unauthenticated error (401) when the secret is not configured, the
// signature is wrong or missing, or the timestamp is too far from now.
func Verify(secret []byte, signature, timestamp string, body []byte, now time.Time) error {
	if len(secret) == 0 {
		return cc112.Errorf(cc112.EUnauthenticated, "the signed webhook is off: no -inbound-webhook-secret configured")
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return cc112.Errorf(cc112.EUnauthenticated, "%s must be Unix seconds", TimestampHeader)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
		return cc112.Errorf(cc112.EUnauthenticated, "%s is %s away from the server's clock; at most %s", TimestampHeader, d.Round(time.Second), MaxSkew)
	}
	if !hmac.Equal([]byte(strings.TrimSpace(signature)), []byte(Sign(secret, ts, body))) {
		return cc112.Errorf(cc112.EUnauthenticated, "bad %s: sha256=<hex HMAC-SHA256 of timestamp.body>", SignatureHeader)
	}
	return nil
}

// WebhookMessage is the signed webhook's body.
type WebhookMessage struct {
	Source    string `json:"source"`
	MessageID string `json:"message_id"`
	From      struct {
		Phone string `json:"phone"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"from"`
	Text     string     `json:"text"`
	Category string     `json:"category"`
	Location *geo.Point `json:"location"`
}

// Webhook files a verified webhook message as a social complaint.
func (in *Intake) Webhook(ctx context.Context, m WebhookMessage) (*callcenter.Filed, error) {
	src := strings.TrimSpace(m.Source)
	if src == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "source is required (whatsapp, instagram, …)")
	}
	if m.From.Phone == "" && m.From.Email == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "from.phone or from.email is required: the citizen is told the answer there")
	}
	return in.Calls.FileComplaint(ctx, callcenter.NewComplaint{Channel: "social", Source: src, Name: m.From.Name,
		Phone: m.From.Phone, Email: m.From.Email, Text: m.Text, Category: m.Category, Location: m.Location,
		MessageID: messageKey(src, m.MessageID)})
}

// SMS is the SMS gateway's inbound message.
type SMS struct {
	From       string    `json:"from"`
	Text       string    `json:"text"`
	ReceivedAt time.Time `json:"received_at"`
}

// MaxSMSText bounds an inbound SMS: ten concatenated parts.
const MaxSMSText = 1600

// SMS files an inbound SMS as a complaint from its sender; the receipt
// with the tracking link goes back by SMS.
func (in *Intake) SMS(ctx context.Context, m SMS) (*callcenter.Filed, error) {
	if m.From == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "from is required")
	}
	if n := len([]rune(m.Text)); n > MaxSMSText {
		return nil, cc112.Errorf(cc112.EInvalid, "text has %d characters; an SMS has at most %d", n, MaxSMSText)
	}
	return in.Calls.FileComplaint(ctx, callcenter.NewComplaint{Channel: "sms", Phone: m.From, Text: m.Text})
}
