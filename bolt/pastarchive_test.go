package bolt

import (
	"context"
	"fmt"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"cc112"
	"cc112/internal/journaltest"
)

func TestPastArchive(t *testing.T) {
	dir := t.TempDir()
	journaltest.PastArchive(t, func() cc112.Journal { j, _ := openT(t, dir); return j })
}

// A journal whose archive predates archive_imports fills it at open.
func TestArchivedImportsFilledAtOpen(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	ctx := context.Background()
	inc := &cc112.Incident{ID: "inc-1", Number: "EXT-1", Source: cc112.ImportSource, Status: cc112.IncidentClosed, ReceivedAt: baseTime}
	appendWait(t, j, []cc112.Event{archiveEvent(t, 1, cc112.EvIncidentArchived, inc)})
	if err := j.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(importBucket)) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := j.ArchivedImports(ctx, []string{"EXT-1"}); len(got) != 0 {
		t.Fatalf("without the bucket: %v", got)
	}
	_ = j.Close()
	j, _ = openT(t, dir)
	if got, err := j.ArchivedImports(ctx, []string{"EXT-1"}); err != nil || fmt.Sprint(got) != "map[EXT-1:inc-1]" {
		t.Errorf("reopened: %v, %v", got, err)
	}
}

// TestArchiveWithoutImportsHasItsIndex: an archive of this build holds
// archive_imports even when no imported incident was archived (and
// archive_text_sigs), so that Open does not take it for an older build's
// and decode every document (2.9 s at ten years, every first open after
// such an archive began).
func TestArchiveWithoutImportsHasItsIndex(t *testing.T) {
	j, _ := openT(t, t.TempDir())
	inc := &cc112.Incident{ID: "inc-1", Number: "SBY-1", Status: cc112.IncidentClosed, ReceivedAt: baseTime}
	appendWait(t, j, []cc112.Event{archiveEvent(t, 1, cc112.EvIncidentArchived, inc)})
	err := j.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte(importBucket)) == nil {
			t.Error("an archive without imports has no archive_imports: every open would walk the archive")
		}
		if tx.Bucket([]byte(archiveSigBucket)) == nil {
			t.Error("an archive has no archive_text_sigs: every open would build it")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
