package inbound

import (
	"bytes"
	"cc112"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cc112/bolt"
	"cc112/callcenter"
	"cc112/dispatch"
	"cc112/internal/clocktest"
)

// The fixtures in testdata are published messages (testdata/README.md
// names each one's source).
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePublishedMessages(t *testing.T) {
	tests := []struct {
		file, from, name, subject, id, text string
	}{
		{"rfc5322-a.1.1.eml", "jdoe@machine.example", "John Doe", "Saying Hello", "1234@local.machine.example",
			"This is a message just to say hello.\nSo, \"Hello\"."},
		{"rfc5322-a.1.2.eml", "john.q.public@example.com", "Joe Q. Public", "", "5678.21-Nov-1997@example.com", "Hi everyone."},
		{"rfc2046-5.1.1.eml", "nsb@bellcore.com", "Nathaniel Borenstein", "Sample message", "",
			"This is implicitly typed plain US-ASCII text.\nIt does NOT end with a linebreak."},
		{"rfc2047-8.eml", "moore@cs.utk.edu", "Keith Moore", "If you can read this you understand the example.", "", ""},
	}
	for _, tt := range tests {
		m, err := ParseMail(fixture(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if m.From != tt.from || m.Name != tt.name || m.Subject != tt.subject || m.MessageID != tt.id || m.Text != tt.text {
			t.Errorf("%s: got %+v", tt.file, m)
		}
	}
}

func TestParseRefusesWithReason(t *testing.T) {
	big := bytes.Repeat([]byte("A"), callcenter.MaxAttachment+10)
	tests := []struct {
		name, reason string
		raw          []byte
	}{
		{"go-message corpus, no From", "no sender", fixture(t, "go-message-mailstring.eml")},
		// Valid RFC 5322, but net/mail (under go-message) reads no comments
		// inside an addr-spec: a person reads it in the quarantine.
		{"RFC 5322 A.5 comments in the address", "malformed From header", fixture(t, "rfc5322-a.5.eml")},
		{"no header at all", "malformed", []byte("just text\r\n")},
		{"empty", "no sender", nil},
		{"From without an address", "From", []byte("From: nobody\r\nSubject: x\r\n\r\nhello\r\n")},
		{"no text", "no text", []byte("From: a@b.example\r\n\r\n\r\n")},
		{"oversized attachment", "larger than", []byte("From: a@b.example\r\nSubject: foto\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nlihat foto\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=big.jpg\r\n\r\n" + string(big) + "\r\n--b--\r\n")},
		{"oversized message", "at most", append([]byte("From: a@b.example\r\n\r\n"), bytes.Repeat([]byte("x"), MaxMail)...)},
	}
	for _, tt := range tests {
		_, err := ParseMail(tt.raw)
		if err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.reason)
		}
	}
}

func TestParseAttachment(t *testing.T) {
	photo := bytes.Repeat([]byte{0xff, 0xd8, 0xff, 0xe0}, 100)
	raw := "From: Warga <warga@example.id>\r\nSubject: Jalan berlubang\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Di depan SDN 1 Ketabang.\r\n--b\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=lubang.jpg\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64(photo) + "\r\n--b--\r\n"
	m, err := ParseMail([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "lubang.jpg" || m.Attachments[0].Type != "image/jpeg" ||
		!bytes.Equal(m.Attachments[0].Data, photo) || m.Text != "Di depan SDN 1 Ketabang." {
		t.Fatalf("%+v", m)
	}
}

// service is the call center on a real bbolt journal.
func service(t *testing.T, cfg callcenter.Config) (*callcenter.Service, *clocktest.Clock) {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	clock := clocktest.New(time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC))
	svc := callcenter.New(cfg)
	if _, err := dispatch.New(context.Background(), dispatch.Config{Journal: j, Clock: clock}, svc); err != nil {
		t.Fatal(err)
	}
	return svc, clock
}

// TestMailIntake: a published message becomes an e-mail complaint from its
// sender, filed once by its Message-ID; a malformed one is quarantined
// with the reason.
func TestMailIntake(t *testing.T) {
	svc, _ := service(t, callcenter.Config{})
	in := &Intake{Calls: svc}
	ctx := context.Background()
	res, err := in.Mail(ctx, "webhook", fixture(t, "rfc5322-a.1.1.eml"))
	if err != nil || res.Filed == nil {
		t.Fatalf("%+v %v", res, err)
	}
	c := res.Filed
	if c.Channel != "email" || c.Email != "jdoe@machine.example" || c.Name != "John Doe" || c.Token == "" ||
		!strings.HasPrefix(c.Text, "Saying Hello\n\nThis is a message") {
		t.Fatalf("filed %+v", c.Complaint)
	}
	again, err := in.Mail(ctx, "imap", fixture(t, "rfc5322-a.1.1.eml"))
	if err != nil || again.Filed == nil || !again.Filed.Duplicate || again.Filed.ID != c.ID {
		t.Fatalf("second delivery %+v %v", again, err)
	}
	bad, err := in.Mail(ctx, "webhook", fixture(t, "go-message-mailstring.eml"))
	if err != nil || bad.Quarantined == nil || !strings.Contains(bad.Quarantined.Reason, "no sender") || bad.Quarantined.Subject != "Your Name" {
		t.Fatalf("quarantine %+v %v", bad, err)
	}
	page, _ := svc.Quarantined(cc112.PageRequest{})
	list := page.Items
	if len(list) != 1 || list[0].ID != bad.Quarantined.ID || len(list[0].Raw) == 0 {
		t.Fatalf("quarantine list %+v", list)
	}
	all, _ := svc.Complaints(callcenter.ComplaintFilter{})
	if len(all.Items) != 1 {
		t.Fatalf("%d complaints", len(all.Items))
	}
}

func b64(b []byte) string {
	return base64.StdEncoding.EncodeToString(b)
}
