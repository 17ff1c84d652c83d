// Package testjournal opens the journals dispatchd ships with for a test:
// the embedded bbolt file and PostgreSQL (on its own schema). Each is
// closed when the test ends.
package testjournal

import (
	"context"
	"testing"

	"cc112"
	"cc112/bolt"
	"cc112/internal/pgtest"
	"cc112/postgres"
)

// Bolt opens a bbolt journal in a temporary folder.
func Bolt(t testing.TB) cc112.Journal {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// Postgres opens a PostgreSQL journal on an empty schema of the test server.
func Postgres(t testing.TB) cc112.Journal {
	t.Helper()
	db, err := postgres.Open(context.Background(), pgtest.URL(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	j, err := postgres.NewJournal(context.Background(), db, postgres.JournalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}
