package paging_test

import (
	"context"
	"testing"

	webpush "github.com/SherClockHolmes/webpush-go"

	"cc112/internal/clocktest"
	"cc112/paging"
)

// TestVAPIDKeys: made once on first start and kept in the journal (a
// restart signs with the same); keys given by flags replace them and are
// journaled too; a half-given or mismatched pair refuses to start.
func TestVAPIDKeys(t *testing.T) {
	dir := t.TempDir()
	clock := clocktest.New(t0)
	n := start(t, journals[0].open(t, dir), clock, paging.Config{}, true)
	made, err := n.pager.PublicKey()
	if err != nil || len(made) != 87 {
		t.Fatalf("made key %q, %v", made, err)
	}
	_ = n.j.Close()
	n = start(t, journals[0].open(t, dir), clock, paging.Config{}, false)
	if again, _ := n.pager.PublicKey(); again != made {
		t.Fatalf("after a restart the key is %s, was %s", again, made)
	}
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	_ = n.j.Close()
	n = start(t, journals[0].open(t, dir), clock, paging.Config{VAPIDPublic: pub, VAPIDPrivate: priv}, false)
	if got, _ := n.pager.PublicKey(); got != pub {
		t.Fatalf("given key not used: %s", got)
	}
	_ = n.j.Close()
	n = start(t, journals[0].open(t, dir), clock, paging.Config{}, false)
	t.Cleanup(func() { _ = n.j.Close() })
	if got, _ := n.pager.PublicKey(); got != pub {
		t.Fatalf("the given key was not kept: %s", got)
	}
	_, otherPub, _ := webpush.GenerateVAPIDKeys()
	for _, cfg := range []paging.Config{{VAPIDPublic: pub}, {VAPIDPublic: otherPub, VAPIDPrivate: priv}, {VAPIDPublic: "not base64!", VAPIDPrivate: priv}} {
		p := paging.New(cfg)
		if _, err := dispatchWith(t, p); err == nil {
			t.Errorf("%+v: started", cfg)
		}
	}
}

// dispatchWith starts an engine on a fresh journal with p and makes its keys.
func dispatchWith(t *testing.T, p *paging.Service) (*paging.Service, error) {
	t.Helper()
	j := journals[0].open(t, t.TempDir())
	t.Cleanup(func() { _ = j.Close() })
	if _, err := newEngine(j, p); err != nil {
		t.Fatal(err)
	}
	return p, p.EnsureKeys(context.Background())
}
