package postgres

import (
	"context"
	"testing"

	"cc112"
	"cc112/internal/journaltest"
	"cc112/internal/pgtest"
)

// openDB opens (and migrates) the database of url, closed with the test.
func openDB(t testing.TB, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func openJournal(t testing.TB, db *DB, opts JournalOptions) *Journal {
	t.Helper()
	j, err := NewJournal(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) func() cc112.Journal {
		db := openDB(t, pgtest.URL(t))
		return func() cc112.Journal { return openJournal(t, db, JournalOptions{}) }
	})
}
