package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/internal/journaltest"
	"cc112/internal/pgtest"
)

func TestPastArchive(t *testing.T) {
	db := openDB(t, pgtest.URL(t))
	journaltest.PastArchive(t, func() cc112.Journal { return openJournal(t, db, JournalOptions{}) })
}

// Migration 019 indexes the external ids of imported incidents archived
// before it: a re-import of one is found on the index.
func TestArchivedImportsIndexedByMigration(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	migrateTo(t, db, 18)
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	inc := &cc112.Incident{ID: "inc-1", Number: "EXT-1", Source: cc112.ImportSource, Status: cc112.IncidentClosed,
		ReceivedAt: time.Date(2025, 6, 1, 17, 0, 0, 0, time.UTC)}
	data, err := json.Marshal(cc112.IncidentDocumentPayload{Incident: inc})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-j.Append([]cc112.Event{{Seq: 1, Type: cc112.EvIncidentArchived, At: inc.ReceivedAt, Data: data}}); err != nil {
		t.Fatal(err)
	}
	migrateTo(t, db, latestVersion(t))
	if got, err := j.ArchivedImports(ctx, []string{"EXT-1", "EXT-2"}); err != nil || fmt.Sprint(got) != "map[EXT-1:inc-1]" {
		t.Errorf("archived imports %v, %v", got, err)
	}
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	// The plan pgx's statement cache ends with: a generic one.
	if _, err := conn.Exec(ctx, "set enable_seqscan = off; set plan_cache_mode = force_generic_plan"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "prepare lookup(text[]) as "+archivedImportsSQL); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, "explain execute lookup('{EXT-1}')")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "incident_archive_imported") {
		t.Errorf("the lookup does not use the index:\n%s", strings.Join(plan, "\n"))
	}
}
