package bolt

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"cc112"
)

// archive_imports follows the archive: an archived imported incident's
// external id (its number) is found, a live one's or a restored one's is
// not; a journal whose archive predates the bucket fills it at open.
func TestArchivedImportsFollowTheArchive(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	ctx := context.Background()
	imported := func(k int) *cc112.Incident {
		return &cc112.Incident{ID: fmt.Sprint("inc-", k), Number: fmt.Sprint("EXT-", k), Source: cc112.ImportSource,
			Status: cc112.IncidentClosed, ReceivedAt: baseTime.Add(time.Duration(k) * time.Hour)}
	}
	live := &cc112.Incident{ID: "inc-9", Number: "EXT-9", Source: "phone", Status: cc112.IncidentClosed, ReceivedAt: baseTime}
	appendWait(t, j, []cc112.Event{archiveEvent(t, 1, cc112.EvIncidentArchived, imported(1)),
		archiveEvent(t, 2, cc112.EvIncidentArchived, imported(2)), archiveEvent(t, 3, cc112.EvIncidentArchived, live),
		archiveEvent(t, 4, cc112.EvIncidentArchived, imported(3))})
	appendWait(t, j, []cc112.Event{archiveEvent(t, 5, cc112.EvIncidentRestored, imported(2))})
	check := func(when string) {
		t.Helper()
		got, err := j.ArchivedImports(ctx, []string{"EXT-1", "EXT-2", "EXT-3", "EXT-9", "EXT-404"})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "map[EXT-1:inc-1 EXT-3:inc-3]" {
			t.Errorf("%s: %v", when, got)
		}
	}
	check("written with the events")

	if err := j.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(importBucket)) }); err != nil {
		t.Fatal(err)
	}
	if got, _ := j.ArchivedImports(ctx, []string{"EXT-1"}); len(got) != 0 {
		t.Fatalf("without the bucket: %v", got)
	}
	_ = j.Close()
	j, _ = openT(t, dir)
	check("filled at open")
}

// roster_archive keeps the shifts of roster.archived: the one covering a
// time per unit, and a unit's shifts ending after a time from a cursor;
// a payload that is not shifts is refused and writes nothing.
func TestShiftArchiveFollowsTheEvents(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	ctx := context.Background()
	h := func(n int) time.Time { return baseTime.Add(time.Duration(n) * time.Hour) }
	shift := func(unit string, from, to int) cc112.Shift {
		return cc112.Shift{UnitID: unit, Crew: []string{unit + "-crew"}, From: h(from), To: h(to)}
	}
	ev := func(seq uint64, shifts ...cc112.Shift) cc112.Event {
		data, err := json.Marshal(cc112.RosterArchivedPayload{Shifts: shifts})
		if err != nil {
			t.Fatal(err)
		}
		return cc112.Event{Seq: seq, Type: cc112.EvRosterArchived, At: baseTime, Data: data}
	}
	// "u" and "u1" share a prefix: a unit's keys end at its NUL.
	appendWait(t, j, []cc112.Event{ev(1, shift("u", 0, 8), shift("u", 10, 18), shift("u1", 0, 16)), ev(2, shift("u", 18, 20), shift("v", 30, 40))})
	if err := wait(t, j.Append([]cc112.Event{ev(3, cc112.Shift{UnitID: "u", From: h(50), To: h(49)})})); err == nil {
		t.Fatal("a shift ending before it begins was stored")
	}

	at := func(n int) string {
		t.Helper()
		list, err := j.ArchivedShiftsAt(ctx, []string{"u", "u1", "v", "w"}, h(n))
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, x := range list {
			s += fmt.Sprintf("%s@%d ", x.UnitID, int(x.From.Sub(baseTime).Hours()))
		}
		return s
	}
	for n, want := range map[int]string{0: "u@0 u1@0 ", 7: "u@0 u1@0 ", 8: "u1@0 ", 9: "u1@0 ", 10: "u@10 u1@0 ", 16: "u@10 ",
		18: "u@18 ", 20: "", 35: "v@30 ", 50: "", -1: ""} {
		if got := at(n); got != want {
			t.Errorf("at %d h: %q, want %q", n, got, want)
		}
	}
	page := func(unit string, from int, after *int, limit int) string {
		t.Helper()
		var a *time.Time
		if after != nil {
			x := h(*after)
			a = &x
		}
		list, err := j.ArchivedShifts(ctx, unit, h(from), a, limit)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, x := range list {
			s += fmt.Sprintf("%d-%d ", int(x.From.Sub(baseTime).Hours()), int(x.To.Sub(baseTime).Hours()))
		}
		return s
	}
	ten := 10
	for _, c := range []struct {
		from   int
		after  *int
		limit  int
		unit   string
		expect string
	}{
		{-5, nil, 10, "u", "0-8 10-18 18-20 "},
		{4, nil, 10, "u", "0-8 10-18 18-20 "},
		{8, nil, 10, "u", "10-18 18-20 "},
		{4, nil, 2, "u", "0-8 10-18 "},
		{4, &ten, 10, "u", "18-20 "},
		{20, nil, 10, "u", ""},
		{0, nil, 10, "u1", "0-16 "},
		{0, nil, 10, "w", ""},
	} {
		if got := page(c.unit, c.from, c.after, c.limit); got != c.expect {
			t.Errorf("%s from %d after %v limit %d: %q, want %q", c.unit, c.from, c.after, c.limit, got, c.expect)
		}
	}
	_ = j.Close()
	j, _ = openT(t, dir)
	if got := at(12); got != "u@10 u1@0 " {
		t.Errorf("reopened: %q", got)
	}
}
