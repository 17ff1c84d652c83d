package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// newSecret returns 32 random bytes, URL-safe base64 encoded: a session
// token or a device secret. Only its SHA-256 is ever stored.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// secretHash is how tokens and device secrets are stored and looked up.
// High-entropy secrets need no slow hash: SHA-256 cannot be reversed.
func secretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
