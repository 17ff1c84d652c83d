package callcenter

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// SMTPMail sends e-mail notices through an SMTP server (the city's mail
// relay). The message's id becomes its Message-ID, so that a resend after
// a crash is the same message to the recipient's server.
type SMTPMail struct {
	Addr     string // host:port
	From     string
	Username string // with Password: PLAIN auth (only over TLS or to localhost, as net/smtp insists)
	Password string
}

var _ Mailer = (*SMTPMail)(nil)

// Send delivers one message.
func (m *SMTPMail) Send(ctx context.Context, mail Mail) error {
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("smtp: address %q: %w", m.Addr, err)
	}
	var auth smtp.Auth
	if m.Username != "" {
		auth = smtp.PlainAuth("", m.Username, m.Password, host)
	}
	domain := m.From[strings.LastIndexByte(m.From, '@')+1:]
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@%s>\r\nDate: %s\r\n",
		m.From, mail.To, mime.QEncoding.Encode("utf-8", mail.Subject), mail.ID, domain, time.Now().UTC().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(mail.Text, "\n", "\r\n"))
	b.WriteString("\r\n")
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.Addr, auth, m.From, []string{mail.To}, []byte(b.String())) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("smtp: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("smtp: %w", ctx.Err())
	}
}
