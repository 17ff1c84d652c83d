// Package pgtest gives each test its own PostgreSQL schema on the test
// server (DISPATCH_TEST_DATABASE_URL), so that tests run in parallel and
// leave nothing behind.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112/internal/testenv"
)

// URL creates an empty schema and returns a connection URL whose
// search_path is that schema. The schema is dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	base := testenv.DatabaseURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	exec(t, base, "create schema "+schema)
	t.Cleanup(func() {
		exec(t, base, "drop schema "+schema+" cascade")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("DISPATCH_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs one statement on the database of url (tests use it to inspect
// or break things).
func Exec(t testing.TB, dbURL, sql string, args ...any) {
	t.Helper()
	exec(t, dbURL, sql, args...)
}

func exec(t testing.TB, dbURL, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		testenv.Missing(t, "PostgreSQL test server not reachable: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
