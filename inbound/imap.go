package inbound

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"cc112"
)

// IMAP polls a mailbox for unseen messages, files each (or quarantines
// it), then marks it \Seen. A crash between filing and marking fetches
// the message again on the next poll: its Message-ID files it once.
type IMAP struct {
	Addr     string // host:port
	TLS      bool   // implicit TLS (port 993); false: plain, for a local server
	Username string
	Password string
	Mailbox  string // default INBOX
	Intake   *Intake
	Logger   *slog.Logger
}

// Poll reads every unseen message once and returns how many it took.
func (p *IMAP) Poll(ctx context.Context) (int, error) {
	var c *imapclient.Client
	var err error
	opts := &imapclient.Options{Dialer: nil}
	if p.TLS {
		c, err = imapclient.DialTLS(p.Addr, opts)
	} else {
		c, err = imapclient.DialInsecure(p.Addr, opts)
	}
	if err != nil {
		return 0, fmt.Errorf("imap: dial %s: %w", p.Addr, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if err := c.Login(p.Username, p.Password).Wait(); err != nil {
		return 0, fmt.Errorf("imap: login: %w", err)
	}
	box := p.Mailbox
	if box == "" {
		box = "INBOX"
	}
	if _, err := c.Select(box, nil).Wait(); err != nil {
		return 0, fmt.Errorf("imap: select %s: %w", box, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("imap: search: %w", err)
	}
	n := 0
	for _, uid := range found.AllUIDs() {
		if err := p.take(ctx, c, uid); err != nil {
			return n, err
		}
		n++
	}
	_ = c.Logout().Wait()
	return n, nil
}

// take files one message, then marks it seen.
func (p *IMAP) take(ctx context.Context, c *imapclient.Client, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	sized, err := c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil || len(sized) != 1 {
		return fmt.Errorf("imap: size of %d: %v", uid, err)
	}
	section := &imap.FetchItemBodySection{Peek: true}
	tooBig := sized[0].RFC822Size > MaxMail
	if tooBig { // only its header, for the quarantine
		section.Specifier = imap.PartSpecifierHeader
	}
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil || len(msgs) != 1 || len(msgs[0].BodySection) != 1 {
		return fmt.Errorf("imap: fetch %d: %v", uid, err)
	}
	raw := msgs[0].BodySection[0].Bytes
	if tooBig {
		q := cc112.MailQuarantined{Source: "imap", Size: int(sized[0].RFC822Size), Raw: raw,
			Reason: fmt.Sprintf("message of %d bytes; at most %d", sized[0].RFC822Size, MaxMail)}
		if h, err := ParseHeader(raw); err == nil {
			q.From, q.Subject, q.MessageID = h.From, h.Subject, h.MessageID
		}
		if _, err := p.Intake.Calls.Quarantine(ctx, q); err != nil {
			return err
		}
	} else {
		res, err := p.Intake.Mail(ctx, "imap", raw)
		if err != nil {
			return err
		}
		p.log().Info("e-mail taken", "uid", uid, "complaint", res.Filed != nil, "quarantined", res.Quarantined != nil)
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		return fmt.Errorf("imap: mark %d seen: %w", uid, err)
	}
	return nil
}

func (p *IMAP) log() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}

// Run polls every interval until ctx ends.
func (p *IMAP) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := p.Poll(ctx); err != nil && ctx.Err() == nil {
			p.log().Error("e-mail intake", "mailbox", p.Addr, "err", err)
		} else if n > 0 {
			p.log().Info("e-mail intake", "messages", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
