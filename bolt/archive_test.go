package bolt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"cc112"
	"cc112/internal/journaltest"
	"cc112/kpi"
)

func archiveEvent(t testing.TB, seq uint64, typ string, inc *cc112.Incident) cc112.Event {
	t.Helper()
	data, err := json.Marshal(cc112.IncidentDocumentPayload{Incident: inc})
	if err != nil {
		t.Fatal(err)
	}
	return cc112.Event{Seq: seq, Type: typ, At: baseTime, Data: data}
}

// The archive bucket follows the journal's events in their transaction:
// an archived incident is found by id and in newest-first walks from any
// key (ties on received_at ordered by id), a restored one is gone, and a
// reopened journal file finds the same; an event whose payload is not an
// incident is refused and writes nothing.
func TestArchiveFollowsTheEvents(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	ctx := context.Background()
	var evs []cc112.Event
	for k := range 6 {
		// Two incidents per received time, across a WIB midnight (17:00 UTC).
		at := time.Date(2026, 3, 1, 16, 59, 59, 0, time.UTC).Add(time.Duration(k/2) * time.Second)
		inc := &cc112.Incident{ID: fmt.Sprintf("inc-%d", k), Status: cc112.IncidentClosed, ReceivedAt: at, Address: "Jl. Darmo"}
		evs = append(evs, archiveEvent(t, uint64(k+1), cc112.EvIncidentArchived, inc))
	}
	appendWait(t, j, evs)
	appendWait(t, j, []cc112.Event{archiveEvent(t, 7, cc112.EvIncidentRestored, &cc112.Incident{ID: "inc-2"})})

	walk := func(j *Journal, before *cc112.HistoryKey, max int) []string {
		var ids []string
		if err := j.EachArchived(ctx, before, func(inc *cc112.Incident) bool {
			ids = append(ids, inc.ID)
			return len(ids) < max
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	check := func(j *Journal) {
		t.Helper()
		if got := fmt.Sprint(walk(j, nil, 100)); got != "[inc-5 inc-4 inc-3 inc-1 inc-0]" {
			t.Errorf("newest first: %s", got)
		}
		if got := fmt.Sprint(walk(j, nil, 2)); got != "[inc-5 inc-4]" {
			t.Errorf("stopped after two: %s", got)
		}
		midnight := time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC)
		if got := fmt.Sprint(walk(j, &cc112.HistoryKey{ReceivedAt: midnight, ID: "inc-3"}, 100)); got != "[inc-1 inc-0]" {
			t.Errorf("after inc-3's key: %s", got)
		}
		if got := fmt.Sprint(walk(j, &cc112.HistoryKey{ReceivedAt: midnight.Add(time.Second)}, 100)); got != "[inc-3 inc-1 inc-0]" {
			t.Errorf("received before 17:00:01: %s", got)
		}
		if inc, err := j.ArchivedIncident(ctx, "inc-4"); err != nil || inc == nil || inc.Address != "Jl. Darmo" {
			t.Errorf("inc-4: %+v, %v", inc, err)
		}
		if inc, err := j.ArchivedIncident(ctx, "inc-2"); err != nil || inc != nil {
			t.Errorf("restored inc-2 still archived: %+v, %v", inc, err)
		}
		if incs, err := j.ArchivedIncidents(ctx, []string{"inc-0", "inc-2", "nope", "inc-5"}); err != nil || len(incs) != 2 {
			t.Errorf("batch: %d, %v", len(incs), err)
		}
	}
	check(j)

	bad := cc112.Event{Seq: 8, Type: cc112.EvIncidentArchived, At: baseTime, Data: json.RawMessage(`{"incident":"not one"}`)}
	if err := wait(t, j.Append([]cc112.Event{bad})); !errors.Is(err, cc112.ErrUnstorable) {
		t.Fatalf("a payload that is no incident: %v, want ErrUnstorable", err)
	}
	check(j)

	_ = j.Close()
	j, _ = openT(t, dir)
	check(j)
}

// The archive's text search reads each part only for the viewer that may
// see it (a word of an internal note, a phone), finds the newest first
// from a key and down to From, and is rebuilt at open for an archive
// written before the text bucket existed; a restored incident's text is
// gone with it.
func TestArchiveTextSearch(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	ctx := context.Background()
	var evs []cc112.Event
	for k := range 5 {
		inc := &cc112.Incident{ID: fmt.Sprintf("inc-%d", k), Number: fmt.Sprintf("SBY-%d", k), Status: cc112.IncidentClosed,
			ReceivedAt: baseTime.Add(time.Duration(k) * time.Hour), Address: "Jl. Darmo", Description: "Tabrakan motor",
			Caller: &cc112.Caller{Phone: fmt.Sprintf("+6281255500%02d", k)},
			Notes:  []cc112.Note{{Text: "Umum"}, {Text: fmt.Sprintf("Rahasia Kunci%d", k), Internal: true}}}
		evs = append(evs, archiveEvent(t, uint64(k+1), cc112.EvIncidentArchived, inc))
	}
	appendWait(t, j, evs)
	appendWait(t, j, []cc112.Event{archiveEvent(t, 6, cc112.EvIncidentRestored, &cc112.Incident{ID: "inc-1"})})

	find := func(j *Journal, before *cc112.HistoryKey, q cc112.ArchiveText) string {
		t.Helper()
		var ids []string
		if err := j.EachArchivedText(ctx, before, q, func(inc *cc112.Incident) bool {
			ids = append(ids, inc.ID)
			return true
		}); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(ids)
	}
	check := func(j *Journal) {
		t.Helper()
		for _, c := range []struct {
			name   string
			before *cc112.HistoryKey
			q      cc112.ArchiveText
			want   string
		}{
			{"public, everyone", nil, cc112.ArchiveText{Text: "tabrakan"}, "[inc-4 inc-3 inc-2 inc-0]"},
			{"a number", nil, cc112.ArchiveText{Text: "sby-3"}, "[inc-3]"},
			{"a public note", nil, cc112.ArchiveText{Text: "umum"}, "[inc-4 inc-3 inc-2 inc-0]"},
			{"internal, seen", nil, cc112.ArchiveText{Text: "kunci2", Phone: true, Internal: true}, "[inc-2]"},
			{"internal, not seen", nil, cc112.ArchiveText{Text: "kunci2", Phone: true}, "[]"},
			{"internal, restored", nil, cc112.ArchiveText{Text: "kunci1", Phone: true, Internal: true}, "[]"},
			{"phone, seen", nil, cc112.ArchiveText{Text: "+628125550003", Phone: true}, "[inc-3]"},
			{"phone as dialled at home", nil, cc112.ArchiveText{Text: "08125550004", Phone: true}, "[inc-4]"},
			{"phone, not seen", nil, cc112.ArchiveText{Text: "08125550004"}, "[]"},
			{"no match across parts", nil, cc112.ArchiveText{Text: "umumrahasia", Phone: true, Internal: true}, "[]"},
			{"below a key", &cc112.HistoryKey{ReceivedAt: baseTime.Add(3 * time.Hour), ID: "inc-3"}, cc112.ArchiveText{Text: "darmo"}, "[inc-2 inc-0]"},
			{"down to From", nil, cc112.ArchiveText{Text: "darmo", From: baseTime.Add(2 * time.Hour)}, "[inc-4 inc-3 inc-2]"},
		} {
			if got := find(j, c.before, c.q); got != c.want {
				t.Errorf("%s: %s, want %s", c.name, got, c.want)
			}
		}
	}
	check(j)

	// A journal whose archive predates the text bucket.
	if err := j.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(archiveTextBucket)) }); err != nil {
		t.Fatal(err)
	}
	if got := find(j, nil, cc112.ArchiveText{Text: "darmo"}); got != "[]" {
		t.Fatalf("without the text bucket: %s", got)
	}
	_ = j.Close()
	j, _ = openT(t, dir)
	check(j)
}

// An archive of a version before archive_metrics is filled at open; a
// record that does not decode fails a report as unavailable. (The
// records themselves: journaltest's ArchiveMetrics, for both journals.)
func TestArchiveMetricsUpgradeAndDamage(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	check := journaltest.ArchiveMetrics(t, j)
	if err := j.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(archiveMetricsBucket)) }); err != nil {
		t.Fatal(err)
	}
	n := 0
	count := func([]byte) bool { n++; return true }
	if err := j.EachArchivedRecord(context.Background(), time.Time{}, time.Time{}, count); err != nil || n != 0 {
		t.Fatalf("without the metrics bucket: %d records, %v", n, err)
	}
	_ = j.Close()
	j, _ = openT(t, dir)
	check(j)

	if err := j.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(archiveMetricsBucket))
		k, v := b.Cursor().Last()
		return b.Put(k, v[:len(v)-1])
	}); err != nil {
		t.Fatal(err)
	}
	x := kpi.NewIndex(cc112.WIB)
	x.UseArchive(j)
	if _, err := x.Report(context.Background(), kpi.Query{}, kpi.DefaultTargets()); cc112.ErrorCode(err) != cc112.EUnavailable {
		t.Errorf("a report over a damaged record: %v, want unavailable", err)
	}
}
