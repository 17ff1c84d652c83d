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

// Names are the journals dispatchd ships with, for Open.
var Names = []string{"bolt", "postgres"}

// Open opens a new journal of that name (one of Names).
func Open(t testing.TB, name string) cc112.Journal {
	t.Helper()
	if name == "bolt" {
		return Bolt(t)
	}
	return Postgres(t)
}

// Bolt opens a bbolt journal in a temporary folder.
func Bolt(t testing.TB) cc112.Journal { return BoltAt(t, t.TempDir()) }

// BoltAt opens the bbolt journal in dir (again, for a restart).
func BoltAt(t testing.TB, dir string) cc112.Journal {
	t.Helper()
	j, err := bolt.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// Postgres opens a PostgreSQL journal on an empty schema of the test server.
func Postgres(t testing.TB) cc112.Journal { return PostgresAt(t, pgtest.URL(t)) }

// PostgresAt opens the PostgreSQL journal of the database at url (again,
// for a restart).
func PostgresAt(t testing.TB, url string) cc112.Journal {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, nil)
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
