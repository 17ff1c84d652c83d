package paging_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112/internal/clocktest"
	"cc112/paging"
)

// pushService is a push service on loopback: it keeps every request it
// gets and answers what the test tells it to.
type pushService struct {
	*httptest.Server
	mu     sync.Mutex
	got    []pushRequest
	answer func(n int) int // status for the n-th request (from 1)
	arrive chan struct{}
}

type pushRequest struct {
	path   string
	header http.Header
	body   []byte
}

func newPushService(t *testing.T, answer func(n int) int) *pushService {
	ps := &pushService{answer: answer, arrive: make(chan struct{}, 100)}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ps.mu.Lock()
		ps.got = append(ps.got, pushRequest{r.URL.Path, r.Header.Clone(), b})
		n := len(ps.got)
		ps.mu.Unlock()
		w.WriteHeader(ps.answer(n))
		ps.arrive <- struct{}{}
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pushService) wait(t *testing.T, n int) []pushRequest {
	t.Helper()
	for {
		ps.mu.Lock()
		got := append([]pushRequest(nil), ps.got...)
		ps.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-ps.arrive:
		case <-time.After(10 * time.Second):
			t.Fatalf("push service got %d requests, want %d", len(got), n)
		}
	}
}

// decrypt undoes RFC 8291 aes128gcm with the browser's keys: the header
// (salt, record size, the server's one-time public key), the ECDH secret
// mixed with the auth secret, the content key and nonce, one record.
func decrypt(t *testing.T, b browser, body []byte) []byte {
	t.Helper()
	if len(body) < 21 {
		t.Fatalf("body of %d bytes", len(body))
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	asPublic := body[21 : 21+idlen]
	ciphertext := body[21+idlen:]
	if idlen != 65 || rs < 18 {
		t.Fatalf("header: idlen %d rs %d", idlen, rs)
	}
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		t.Fatalf("the server's key: %v", err)
	}
	secret, err := b.key.ECDH(as)
	if err != nil {
		t.Fatal(err)
	}
	prkKey, err := hkdf.Extract(sha256.New, secret, b.auth)
	if err != nil {
		t.Fatal(err)
	}
	info := append(append([]byte("WebPush: info\x00"), b.key.PublicKey().Bytes()...), asPublic...)
	ikm, err := hkdf.Expand(sha256.New, prkKey, string(info), 32)
	if err != nil {
		t.Fatal(err)
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		t.Fatal(err)
	}
	cek, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	block, err := aes.NewCipher(cek)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	if len(ciphertext) > int(rs) {
		t.Fatalf("more than one record (%d bytes, rs %d)", len(ciphertext), rs)
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	end := strings.LastIndexFunc(string(plain), func(r rune) bool { return r != 0 }) // padding is zeros after the delimiter
	if end < 0 || plain[end] != 2 {
		t.Fatalf("the last record's delimiter is missing")
	}
	return plain[:end]
}

// checkVAPID verifies the Authorization header (RFC 8292): "vapid t=JWT,
// k=key", the key the server publishes, and the JWT's ES256 signature
// against it, with the push service's origin as audience.
func checkVAPID(t *testing.T, h http.Header, publicKey, origin string, now time.Time) {
	t.Helper()
	v := h.Get("Authorization")
	tok, k, ok := strings.Cut(strings.TrimPrefix(v, "vapid t="), ", k=")
	if !strings.HasPrefix(v, "vapid t=") || !ok {
		t.Fatalf("Authorization: %q", v)
	}
	if k != publicKey {
		t.Fatalf("k=%s, the server's key is %s", k, publicKey)
	}
	raw, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil || len(raw) != 65 {
		t.Fatalf("k: %v", err)
	}
	pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(raw[1:33]), Y: new(big.Int).SetBytes(raw[33:])}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("JWT: %q", tok)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Fatalf("JWT signature: %d bytes, %v", len(sig), err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("the VAPID JWT's signature does not verify with the server's public key")
	}
	var head struct{ Alg, Typ string }
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	for i, v := range []any{&head, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	if head.Alg != "ES256" || claims.Aud != origin || claims.Sub != "mailto:cc112@localhost" {
		t.Fatalf("JWT header %+v claims %+v, want ES256 for %s", head, claims, origin)
	}
	if exp := time.Unix(claims.Exp, 0); !exp.After(now) || exp.After(now.Add(24*time.Hour)) {
		t.Fatalf("JWT expires %s: RFC 8292 wants within 24 h", exp)
	}
}

// TestDispatchIsPushedEncryptedAndSigned: a unit subscribed on a push
// service on loopback; its dispatch arrives there encrypted for its
// browser, signed with the server's VAPID key, urgent and with a TTL, and
// decrypts to the page that opens the assignment. A note and a message to
// the unit follow it, and the cancel.
func TestDispatchIsPushedEncryptedAndSigned(t *testing.T) {
	ps := newPushService(t, func(int) int { return http.StatusCreated })
	clock := clocktest.New(t0)
	n := start(t, journals[0].open(t, t.TempDir()), clock, paging.Config{TTL: 90 * time.Second}, true)
	ctx, cancel := context.WithCancel(context.Background())
	pusher := n.pager.NewPusher()
	n.eng.SetPublisher(pusher)
	done := make(chan struct{})
	go func() { pusher.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	time.Sleep(50 * time.Millisecond) // Run has taken the engine's state

	b := newBrowser(t)
	var unit string
	for _, u := range n.eng.Units() {
		if u.Type == "ambulance" {
			unit = u.ID
			break
		}
	}
	if err := n.pager.Subscribe(ctx, unit, "crew", b.subscription(ps.URL+"/wpush/abc"), "", ""); err != nil {
		t.Fatal(err)
	}
	inc, u := n.dispatchUnit(t)
	if u.ID != unit {
		t.Fatalf("dispatched %s, subscribed %s", u.ID, unit)
	}
	key, err := n.pager.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	got := ps.wait(t, 1)[0]
	if got.path != "/wpush/abc" || got.header.Get("Content-Encoding") != "aes128gcm" ||
		got.header.Get("Urgency") != "high" || got.header.Get("TTL") != "90" {
		t.Fatalf("request: %s %v", got.path, got.header)
	}
	checkVAPID(t, got.header, key, ps.URL, time.Now())
	var page paging.Page
	if err := json.Unmarshal(decrypt(t, b, got.body), &page); err != nil {
		t.Fatal(err)
	}
	if page.Kind != "dispatch" || page.IncidentID != inc.ID || page.URL != "/unit" || !strings.Contains(page.Title, inc.Number) ||
		!strings.Contains(page.Body, "Jl. Tunjungan 10") {
		t.Fatalf("page %+v", page)
	}

	// A public note, an internal one (not pushed), a message, the cancel.
	if _, err := n.eng.AddNote(ctx, inc.ID, "Pasien di lantai 3", false, dispatchAuthor, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := n.eng.AddNote(ctx, inc.ID, "rahasia", true, dispatchAuthor, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := n.pager.Send(ctx, paging.Sender{Username: "dispatcher", Role: "dispatcher"}, paging.NewMessage{ToUnit: unit, Text: "Lewat pintu belakang"}, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := n.eng.CancelIncident(ctx, inc.ID, "Laporan palsu", dispatchAuthor, "", ""); err != nil {
		t.Fatal(err)
	}
	all := ps.wait(t, 4)
	kinds := map[string]string{}
	for _, r := range all[1:] {
		var p paging.Page
		if err := json.Unmarshal(decrypt(t, b, r.body), &p); err != nil {
			t.Fatal(err)
		}
		kinds[p.Kind] = p.Detail
	}
	want := map[string]string{"note": "Pasien di lantai 3", "message": "Lewat pintu belakang", "cancelled": "cancelled: Laporan palsu"}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Fatalf("pages %v, want %v", kinds, want)
	}
	time.Sleep(100 * time.Millisecond)
	if extra := len(ps.wait(t, 4)); extra != 4 {
		t.Fatalf("%d pushes, want 4 (the internal note is not pushed)", extra)
	}

	// Sent again and freed while the incident stays open: released.
	inc2, _ := n.dispatchUnit(t)
	if _, err := n.eng.SetUnitStatus(ctx, unit, "available", "", ""); err != nil {
		t.Fatal(err)
	}
	all = ps.wait(t, 6)
	var kinds2 []string
	for _, r := range all[4:] {
		var p paging.Page
		if err := json.Unmarshal(decrypt(t, b, r.body), &p); err != nil {
			t.Fatal(err)
		}
		if p.IncidentID != inc2.ID {
			t.Fatalf("page about %s, want %s", p.IncidentID, inc2.ID)
		}
		kinds2 = append(kinds2, p.Kind)
	}
	// Each page goes out on its own goroutine (and push services do not
	// keep order): both, in any order.
	sort.Strings(kinds2)
	if fmt.Sprint(kinds2) != "[dispatch released]" {
		t.Fatalf("pages %v, want a dispatch and a release", kinds2)
	}
}

// TestGoneSubscriptionIsDroppedAndFailuresRetried: a push service that
// answers 410 loses the subscription (journaled: a restart keeps it gone);
// one that fails with 500 is tried again after a backoff until it takes
// the page.
func TestGoneSubscriptionIsDroppedAndFailuresRetried(t *testing.T) {
	for _, jk := range journals {
		t.Run(jk.name, func(t *testing.T) {
			gone := newPushService(t, func(int) int { return http.StatusGone })
			flaky := newPushService(t, func(n int) int {
				if n < 3 {
					return http.StatusInternalServerError
				}
				return http.StatusCreated
			})
			place := jk.place(t)
			clock := clocktest.New(t0)
			j := jk.open(t, place)
			n := start(t, j, clock, paging.Config{RetryBase: 20 * time.Millisecond}, true)
			ctx, cancel := context.WithCancel(context.Background())
			pusher := n.pager.NewPusher()
			n.eng.SetPublisher(pusher)
			done := make(chan struct{})
			go func() { pusher.Run(ctx); close(done) }()
			time.Sleep(50 * time.Millisecond)
			var unit string
			for _, u := range n.eng.Units() {
				if u.Type == "ambulance" {
					unit = u.ID
					break
				}
			}
			for _, ep := range []string{gone.URL + "/a", flaky.URL + "/b"} {
				if err := n.pager.Subscribe(ctx, unit, "crew", newBrowser(t).subscription(ep), "", ""); err != nil {
					t.Fatal(err)
				}
			}
			n.dispatchUnit(t)
			gone.wait(t, 1)
			flaky.wait(t, 3)
			deadline := time.Now().Add(5 * time.Second)
			for n.pager.Subscriptions(unit) != 1 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := n.pager.Subscriptions(unit); got != 1 {
				t.Fatalf("%d subscriptions after a 410, want 1", got)
			}
			cancel()
			<-done
			if got := len(flaky.wait(t, 3)); got != 3 {
				t.Fatalf("the flaky service got %d requests, want 3 (two failures, one success)", got)
			}
			_ = j.Close()
			again := start(t, jk.open(t, place), clock, paging.Config{}, false)
			t.Cleanup(func() { _ = again.j.Close() })
			if got := again.pager.Subscriptions(unit); got != 1 {
				t.Fatalf("after a restart: %d subscriptions, want 1 (the dropped one stays dropped)", got)
			}
		})
	}
}
