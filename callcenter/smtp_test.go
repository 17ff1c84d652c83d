package callcenter

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cc112/internal/testenv"
)

// TestEmailNoticeThroughARealSMTPServer: a complaint that came by e-mail
// is told by e-mail; the notice goes through a real SMTP server (Debian's
// aiosmtpd, started by scripts/test.sh) into its maildir, with the
// tracking link, once — not again after a restart.
func TestEmailNoticeThroughARealSMTPServer(t *testing.T) {
	addr, maildir := testenv.SMTP(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	to := "warga-" + hex.EncodeToString(b[:]) + "@example.id"
	f := newFixture(t, Config{Mail: &SMTPMail{Addr: addr, From: "mediacenter@surabaya.example"},
		BaseURL: "https://cc112.example", TokenKey: []byte("k")})
	c := must[*Filed](t)(f.svc.FileComplaint(ctx, NewComplaint{Channel: "email", Email: to, Text: "Jalan berlubang di Jl. Darmo"}))
	if _, sent := f.tick(0); sent != 1 {
		t.Fatalf("sent %d", sent)
	}
	f.restart()
	if _, sent := f.tick(0); sent != 0 {
		t.Fatal("sent again after a restart")
	}
	var found []*mail.Message
	files, _ := filepath.Glob(filepath.Join(maildir, "new", "*"))
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(raw, []byte(to)) {
			continue
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, m)
	}
	if len(found) != 1 {
		t.Fatalf("%d messages to %s in %s", len(found), to, maildir)
	}
	m := found[0]
	body, _ := io.ReadAll(m.Body)
	if m.Header.Get("Subject") != "Aduan "+c.Number || m.Header.Get("Message-Id") != "<ntc-"+c.ID+"-0@surabaya.example>" ||
		!strings.Contains(string(body), "https://cc112.example/complaint#"+c.Number+":"+c.Token) {
		t.Fatalf("the notice: %v\n%s", m.Header, body)
	}
}
