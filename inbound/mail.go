package inbound

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	_ "github.com/emersion/go-message/charset" // mail in ISO-8859-1, Windows-1252, …
	"github.com/emersion/go-message/mail"

	"cc112"
	"cc112/callcenter"
)

// MaxMail bounds one raw e-mail: its text and MaxAttachments attachments
// of MaxAttachment bytes, base64-encoded (4/3), with headers to spare.
const MaxMail = 12 << 20

// Mail is what an e-mail says, once parsed.
type Mail struct {
	From        string // the address, lower case
	Name        string // the display name
	Subject     string
	MessageID   string
	Text        string
	Attachments []cc112.Attachment
}

// ParseMail reads a raw RFC 5322 message: the sender, subject, the text
// (the first text/plain part; else the text of the first text/html part)
// and its attachments. An error says why the message cannot be a
// complaint (the quarantine's reason).
func ParseMail(raw []byte) (*Mail, error) {
	if len(raw) > MaxMail {
		return nil, fmt.Errorf("message of %d bytes; at most %d", len(raw), MaxMail)
	}
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if r == nil {
		return nil, fmt.Errorf("malformed message: %v", err)
	}
	if err != nil && !isUnknownCharset(err) {
		return nil, fmt.Errorf("malformed message: %v", err)
	}
	defer r.Close()
	m := &Mail{}
	from, err := r.Header.AddressList("From")
	if err != nil {
		return nil, fmt.Errorf("malformed From header: %v", err)
	}
	if len(from) == 0 || from[0].Address == "" {
		return nil, errors.New("no sender (From header)")
	}
	m.From, m.Name = strings.ToLower(from[0].Address), from[0].Name
	if m.Subject, err = r.Header.Subject(); err != nil {
		m.Subject = r.Header.Get("Subject") // undecodable words: keep them as written
	}
	m.MessageID, _ = r.Header.MessageID()
	var plain, html string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil && !isUnknownCharset(err) {
			return nil, fmt.Errorf("malformed MIME part: %v", err)
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			ct, _, _ := h.ContentType()
			body, err := readLimited(p.Body, callcenter.MaxAttachment)
			if err != nil {
				return nil, fmt.Errorf("%s part: %v", ct, err)
			}
			switch {
			case ct == "text/plain" && plain == "":
				plain = string(body)
			case ct == "text/html" && html == "":
				html = htmlText(string(body))
			case strings.HasPrefix(ct, "image/"): // an inline photo
				m.Attachments = append(m.Attachments, cc112.Attachment{Name: "inline", Type: ct, Data: body})
			}
		case *mail.AttachmentHeader:
			name, _ := h.Filename()
			ct, _, _ := h.ContentType()
			body, err := readLimited(p.Body, callcenter.MaxAttachment)
			if err != nil {
				return nil, fmt.Errorf("attachment %q: %v", name, err)
			}
			m.Attachments = append(m.Attachments, cc112.Attachment{Name: name, Type: ct, Data: body})
		}
	}
	if len(m.Attachments) > callcenter.MaxAttachments {
		return nil, fmt.Errorf("%d attachments; at most %d", len(m.Attachments), callcenter.MaxAttachments)
	}
	m.Text = plain
	if strings.TrimSpace(m.Text) == "" {
		m.Text = html
	}
	m.Text = cleanText(m.Text)
	if m.Text == "" && strings.TrimSpace(m.Subject) == "" {
		return nil, errors.New("no text: neither a subject nor a text part")
	}
	return m, nil
}

func isUnknownCharset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "unknown charset")
}

// readLimited reads at most limit bytes, and fails beyond.
func readLimited(r io.Reader, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}

// cleanText makes mail text a complaint's: LF line ends, no control
// characters but tabs and new lines, no trailing blanks.
func cleanText(t string) string {
	t = strings.ReplaceAll(t, "\r\n", "\n")
	t = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, t)
	return strings.TrimSpace(t)
}

// htmlText is the readable text of an HTML body: tags dropped, the common
// entities decoded. Enough for a complaint; the desk sees the words.
func htmlText(h string) string {
	var b strings.Builder
	in := false
	for _, r := range h {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	out := strings.NewReplacer("&nbsp;", " ", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'").Replace(b.String())
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// Intake files messages as complaints, or quarantines them with the reason.
type Intake struct {
	Calls *callcenter.Service
}

// Result is what became of one message: a complaint (possibly one filed
// before, Duplicate) or a quarantine entry.
type Result struct {
	Filed       *callcenter.Filed      `json:"complaint,omitempty"`
	Quarantined *cc112.MailQuarantined `json:"quarantined,omitempty"`
}

// Mail files a raw e-mail that came from source (imap or webhook). The
// error is only for a journal that refused to record either outcome.
func (in *Intake) Mail(ctx context.Context, source string, raw []byte) (*Result, error) {
	m, err := ParseMail(raw)
	if err == nil {
		text := m.Text
		if s := strings.TrimSpace(m.Subject); s != "" && !strings.HasPrefix(text, s) {
			text = strings.TrimSpace(s + "\n\n" + text)
		}
		var filed *callcenter.Filed
		filed, err = in.Calls.FileComplaint(ctx, callcenter.NewComplaint{Channel: "email", Name: clipName(m.Name), Email: m.From,
			Text: text, MessageID: messageKey("mail", m.MessageID), Attachments: m.Attachments})
		if err == nil {
			return &Result{Filed: filed}, nil
		}
		if cc112.ErrorCode(err) != cc112.EInvalid {
			return nil, err
		}
	}
	q := cc112.MailQuarantined{Source: source, Size: len(raw), Reason: err.Error(), Raw: raw}
	if h, herr := ParseHeader(raw); herr == nil {
		q.From, q.Subject, q.MessageID = h.From, h.Subject, h.MessageID
	}
	quarantined, qerr := in.Calls.Quarantine(ctx, q)
	if qerr != nil {
		return nil, qerr
	}
	return &Result{Quarantined: quarantined}, nil
}

// Header is what the quarantine shows of a refused message.
type Header struct{ From, Subject, MessageID string }

// ParseHeader reads the header of a raw message as far as it goes.
func ParseHeader(raw []byte) (Header, error) {
	r, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && r.Len() == 0 {
		return Header{}, err
	}
	h := mail.Header{Header: message.Header{Header: r}}
	out := Header{From: h.Get("From"), Subject: h.Get("Subject")}
	if s, err := new(mime.WordDecoder).DecodeHeader(out.Subject); err == nil {
		out.Subject = s
	}
	out.MessageID, _ = h.MessageID()
	return out, nil
}

// clipName keeps a display name within a complaint's name limit.
func clipName(n string) string {
	n = strings.TrimSpace(n)
	if r := []rune(n); len(r) > 200 {
		n = string(r[:200])
	}
	return n
}

// messageKey scopes a message id by its channel, so that an e-mail and a
// chat message never share one.
func messageKey(channel, id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return ""
	}
	if len(id) > 300 {
		id = id[:300]
	}
	return channel + ":" + id
}
