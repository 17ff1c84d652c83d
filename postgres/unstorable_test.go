package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
	"cc112/internal/pgtest"
)

// TestBatchWithOneUnstorableCommand: PostgreSQL refuses a NUL in jsonb
// (SQLSTATE 22P05). When such a command shares a group-commit batch with
// others, only it fails: the others are committed, its seq is taken by a
// journal.refused event, and the journal goes on taking writes.
func TestBatchWithOneUnstorableCommand(t *testing.T) {
	url := pgtest.URL(t)
	db := openDB(t, url)
	j := openJournal(t, db, JournalOptions{})
	t.Cleanup(func() { _ = j.Close() })
	ctx := context.Background()
	at := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	ev := func(seq uint64, data string) []cc112.Event {
		return []cc112.Event{{Seq: seq, Type: "test.note", At: at, Data: []byte(data)}}
	}

	// Hold the events table so that the first flush waits: every command
	// queued meanwhile goes into the next batch, together.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "lock table events in exclusive mode"); err != nil {
		t.Fatal(err)
	}
	first := j.Append(ev(1, `{"n":1}`))
	good1 := j.Append(ev(2, `{"n":2}`))
	bad := j.Append(ev(3, `{"text":"a\u0000b"}`))
	good2 := j.Append(ev(4, `{"n":4}`))
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	for i, ch := range []<-chan error{first, good1, good2} {
		if err := <-ch; err != nil {
			t.Fatalf("command %d of the batch failed with the unstorable one: %v", i, err)
		}
	}
	if err := <-bad; !errors.Is(err, cc112.ErrUnstorable) {
		t.Fatalf("unstorable command: %v, want ErrUnstorable", err)
	}
	// The writer goes on.
	if err := <-j.Append(ev(5, `{"n":5}`)); err != nil {
		t.Fatalf("append after the refused command: %v", err)
	}
	if err := j.Ping(ctx); err != nil {
		t.Fatalf("journal not ready after a refused command: %v", err)
	}
	var got []string
	if err := j.Replay(ctx, 0, func(e cc112.Event) error {
		got = append(got, fmt.Sprintf("%d %s %s", e.Seq, e.Type, e.Data))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{`1 test.note {"n": 1}`, `2 test.note {"n": 2}`, `3 journal.refused {}`, `4 test.note {"n": 4}`, `5 test.note {"n": 5}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("journal holds\n%v\nwant\n%v", got, want)
	}
}
