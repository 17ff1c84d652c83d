package paging

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strings"

	webpush "github.com/SherClockHolmes/webpush-go"

	"cc112"
	"cc112/dispatch"
)

// EnsureKeys makes the VAPID keys the first time the writer starts: the
// configured ones when given (journaled when they differ from the
// journal's, so that a standby signs with the same), else the journal's,
// else a new pair. Only the writer calls it.
func (s *Service) EnsureKeys(ctx context.Context) error {
	want := cc112.PushKeysPayload{Public: s.cfg.VAPIDPublic, Private: s.cfg.VAPIDPrivate}
	if (want.Public == "") != (want.Private == "") {
		return fmt.Errorf("paging: give both VAPID keys or neither")
	}
	if want.Public != "" {
		if err := checkVAPID(want); err != nil {
			return err
		}
	}
	_, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		switch {
		case want.Public != "" && want != s.keys:
			tx.Emit(cc112.EvPushKeys, want)
		case want.Public == "" && s.keys.Public == "":
			priv, pub, err := webpush.GenerateVAPIDKeys()
			if err != nil {
				return nil, err
			}
			tx.Emit(cc112.EvPushKeys, cc112.PushKeysPayload{Public: pub, Private: priv})
		}
		return nil, nil
	})
	return err
}

// checkVAPID checks that the keys are a P-256 pair.
func checkVAPID(k cc112.PushKeysPayload) error {
	pub, err1 := decodeKey(k.Public)
	priv, err2 := decodeKey(k.Private)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("paging: VAPID keys must be base64url")
	}
	key, err := ecdh.P256().NewPrivateKey(priv)
	if err != nil {
		return fmt.Errorf("paging: VAPID private key: %w", err)
	}
	if string(key.PublicKey().Bytes()) != string(pub) {
		return fmt.Errorf("paging: the VAPID public key is not the private key's")
	}
	return nil
}

// PublicKey is the VAPID public key (base64url, the browser's
// applicationServerKey); ENotFound... until EnsureKeys ran.
func (s *Service) PublicKey() (string, error) {
	var k string
	s.eng.Read(func() { k = s.keys.Public })
	if k == "" {
		return "", cc112.Errorf(cc112.EUnavailable, "push keys are not made yet: the writer is starting")
	}
	return k, nil
}

func (s *Service) vapid() cc112.PushKeysPayload {
	var k cc112.PushKeysPayload
	s.eng.Read(func() { k = s.keys })
	return k
}

// decodeKey reads base64url with or without padding (browsers give it
// without, some libraries with).
func decodeKey(v string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(v, "="))
}

// Subscription is a PushSubscription as the browser gives it
// (PushSubscription.toJSON()).
type Subscription struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"`
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// validate checks what a push needs: an https endpoint (plain http only on
// loopback: a local test push service), a P-256 public key and a 16-byte
// auth secret.
func (sub *Subscription) validate() error {
	u, err := url.Parse(sub.Endpoint)
	if err != nil || u.Host == "" || len(sub.Endpoint) > 2000 {
		return cc112.Errorf(cc112.EInvalid, "endpoint must be the push service's URL")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if ip := net.ParseIP(u.Hostname()); (ip == nil || !ip.IsLoopback()) && u.Hostname() != "localhost" {
			return cc112.Errorf(cc112.EInvalid, "endpoint must be https (plain http only on loopback)")
		}
	default:
		return cc112.Errorf(cc112.EInvalid, "endpoint must be https")
	}
	if err := cc112.CheckText("endpoint", sub.Endpoint, 2000); err != nil {
		return err
	}
	p, err := decodeKey(sub.Keys.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(p)
	}
	if err != nil {
		return cc112.Errorf(cc112.EInvalid, "keys.p256dh must be a P-256 public key, base64url")
	}
	if a, err := decodeKey(sub.Keys.Auth); err != nil || len(a) != 16 {
		return cc112.Errorf(cc112.EInvalid, "keys.auth must be 16 bytes, base64url")
	}
	return nil
}

// Subscribe keeps a unit's browser subscription (the same endpoint again
// changes nothing; another user's or unit's takes it over).
func (s *Service) Subscribe(ctx context.Context, unitID, username string, sub Subscription, key, fingerprint string) error {
	if err := sub.validate(); err != nil {
		return err
	}
	_, err := dispatch.Run(ctx, s.eng, key, fingerprint, func(tx *dispatch.Tx) (any, error) {
		if _, ok := tx.Unit(unitID); !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "unit %q not found", unitID)
		}
		p := cc112.PushSubscribedPayload{UnitID: unitID, Username: username, Endpoint: sub.Endpoint,
			P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth}
		if old := s.subs[sub.Endpoint]; old == nil || old.PushSubscribedPayload != p {
			tx.Emit(cc112.EvPushSubscribed, p)
		}
		return map[string]bool{"subscribed": true}, nil
	})
	return err
}

// Subscriptions counts a unit's subscriptions.
func (s *Service) Subscriptions(unitID string) int {
	n := 0
	s.eng.Read(func() {
		for _, x := range s.subs {
			if x.UnitID == unitID {
				n++
			}
		}
	})
	return n
}

func (s *Service) subscriptionsOf(unitID string) []cc112.PushSubscribedPayload {
	var out []cc112.PushSubscribedPayload
	s.eng.Read(func() {
		for _, x := range s.subs {
			if x.UnitID == unitID {
				out = append(out, x.PushSubscribedPayload)
			}
		}
	})
	return out
}
