// Package testenv tells tests where the real services and tools they need
// are. Outside CI a missing one skips the test with the reason; with CI set
// it fails the test, so that CI can never pass by skipping.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Missing skips (or, under CI, fails) a test that needs something absent.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("CI: "+format, args...)
	}
	t.Skipf(format, args...)
}

// DatabaseURL is the PostgreSQL test server (DISPATCH_TEST_DATABASE_URL).
func DatabaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DISPATCH_TEST_DATABASE_URL")
	if u == "" {
		Missing(t, "DISPATCH_TEST_DATABASE_URL is not set (make test sets it)")
	}
	return u
}

// RedisURL is the Redis test server (DISPATCH_TEST_REDIS_URL).
func RedisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DISPATCH_TEST_REDIS_URL")
	if u == "" {
		Missing(t, "DISPATCH_TEST_REDIS_URL is not set (make test sets it)")
	}
	return u
}

// Tool returns the path of a program on PATH, e.g. "ffmpeg" or "chromium".
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed (make test installs it)", name)
	}
	return p
}

// RepoRoot is the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedData returns the path of a file of the shared real data set, which
// lives beside the checkout in ../shared/data (DISPATCH_SHARED_DATA
// overrides the folder).
func SharedData(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("DISPATCH_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "..", "shared", "data")
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "shared data file %s not found (%v)", p, err)
	}
	return p
}

// IMAP is the throw-away IMAP test server scripts/test.sh starts
// (DISPATCH_TEST_IMAP_ADDR, _USER, _PASSWORD).
func IMAP(t testing.TB) (addr, user, password string) {
	t.Helper()
	addr = os.Getenv("DISPATCH_TEST_IMAP_ADDR")
	if addr == "" {
		Missing(t, "DISPATCH_TEST_IMAP_ADDR is not set (scripts/test.sh starts a local Dovecot and sets it)")
	}
	return addr, os.Getenv("DISPATCH_TEST_IMAP_USER"), os.Getenv("DISPATCH_TEST_IMAP_PASSWORD")
}

// SMTP is the throw-away SMTP test server scripts/test.sh starts (Debian's
// python3-aiosmtpd saving into a maildir): its address and the maildir.
func SMTP(t testing.TB) (addr, maildir string) {
	t.Helper()
	addr, maildir = os.Getenv("DISPATCH_TEST_SMTP_ADDR"), os.Getenv("DISPATCH_TEST_SMTP_MAILDIR")
	if addr == "" || maildir == "" {
		Missing(t, "DISPATCH_TEST_SMTP_ADDR and DISPATCH_TEST_SMTP_MAILDIR are not set (scripts/test.sh starts a local SMTP server and sets them)")
	}
	return addr, maildir
}
