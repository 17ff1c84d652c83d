package inbound

import (
	"cc112"
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cc112/callcenter"
	"cc112/internal/testenv"
)

// TestIMAPIntakeAgainstDovecot: published messages delivered to a real
// Dovecot mailbox are polled, filed (or quarantined), marked \Seen, and
// not taken twice; a redelivered copy (same Message-ID) files nothing new.
func TestIMAPIntakeAgainstDovecot(t *testing.T) {
	addr, user, pass := testenv.IMAP(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	box := "cc112-test-" + hex.EncodeToString(b[:])
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(box, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Delete(box).Wait() })
	deliver := func(name string) {
		t.Helper()
		raw := fixture(t, name)
		a := c.Append(box, int64(len(raw)), nil)
		if _, err := a.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"rfc5322-a.1.1.eml", "rfc2046-5.1.1.eml", "go-message-mailstring.eml"} {
		deliver(f)
	}
	svc, _ := service(t, callcenter.Config{})
	p := &IMAP{Addr: addr, Username: user, Password: pass, Mailbox: box, Intake: &Intake{Calls: svc}}
	ctx := context.Background()
	if n, err := p.Poll(ctx); err != nil || n != 3 {
		t.Fatalf("poll: %d, %v", n, err)
	}
	page, _ := svc.Complaints(callcenter.ComplaintFilter{})
	list := page.Items
	quarantined, _ := svc.Quarantined(cc112.PageRequest{})
	if len(list) != 2 || len(quarantined.Items) != 1 {
		t.Fatalf("%d complaints, %d quarantined", len(list), len(quarantined.Items))
	}
	emails := list[0].Email + " " + list[1].Email
	if !strings.Contains(emails, "jdoe@machine.example") || !strings.Contains(emails, "nsb@bellcore.com") || list[0].Channel != "email" {
		t.Fatalf("complaints %+v %+v", list[0], list[1])
	}
	// Every message is \Seen now: the next poll takes nothing.
	if n, err := p.Poll(ctx); err != nil || n != 0 {
		t.Fatalf("second poll: %d, %v", n, err)
	}
	if _, err := c.Select(box, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	unseen, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil || len(unseen.AllUIDs()) != 0 {
		t.Fatalf("unseen after poll: %v %v", unseen.AllUIDs(), err)
	}
	// The same message again (a resend, or a crash before \Seen): one complaint.
	deliver("rfc5322-a.1.1.eml")
	if n, err := p.Poll(ctx); err != nil || n != 1 {
		t.Fatalf("third poll: %d, %v", n, err)
	}
	if page, _ := svc.Complaints(callcenter.ComplaintFilter{}); len(page.Items) != 2 {
		t.Fatalf("a redelivered message filed again: %d complaints", len(page.Items))
	}
	// A wrong password is an error, not silence.
	bad := *p
	bad.Password = "wrong"
	if _, err := bad.Poll(ctx); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
}
