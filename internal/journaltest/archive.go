package journaltest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"cc112"
	"cc112/kpi"
)

// testArchiveMetrics: the archive's metrics records follow the events and
// survive a reopen.
func testArchiveMetrics(t *testing.T, open func() cc112.Journal) {
	j := open()
	check := ArchiveMetrics(t, j)
	check(j)
	closeJournal(t, j)
	j = open()
	defer closeJournal(t, j)
	check(j)
}

// ArchiveMetrics archives six closed incidents, received an hour apart,
// into an empty journal j and restores the third (one append each), and
// returns the check that a journal answers for them as kpi.Archive: a
// walk over a window of received times gives kpi.FromIncident of exactly
// the incidents archived and not restored in it, and stops when told.
// Paged (ArchivedRecordsAfter), the walk is in key order, each page after
// the last record of the one before. Journals test their own upgrades and
// damage with it.
func ArchiveMetrics(t *testing.T, j cc112.Journal) (check func(cc112.Journal)) {
	t.Helper()
	ctx := context.Background()
	base := t0.Truncate(time.Microsecond)
	docEvent := func(seq uint64, typ string, inc *cc112.Incident) cc112.Event {
		data, err := json.Marshal(cc112.IncidentDocumentPayload{Incident: inc})
		if err != nil {
			t.Fatal(err)
		}
		return cc112.Event{Seq: seq, Type: typ, At: base, Data: data}
	}
	var evs []cc112.Event
	want := map[string]kpi.Record{}
	for k := range 6 {
		recv := base.Add(time.Duration(k) * time.Hour)
		sent, there, closed := recv.Add(time.Minute), recv.Add(9*time.Minute), recv.Add(time.Hour)
		inc := &cc112.Incident{ID: fmt.Sprintf("inc-%d", k), Number: fmt.Sprintf("SBY-%d", k), Status: cc112.IncidentClosed,
			Category: cc112.CatFire, District: "Tegalsari", ReceivedAt: recv, DispatchedAt: &sent, OnsceneAt: &there, ClosedAt: &closed,
			Assignments: []*cc112.Assignment{{UnitID: "f1", Agency: "DAMKAR"}, {UnitID: "p1", Agency: "POLRI"}}}
		evs = append(evs, docEvent(uint64(k+1), cc112.EvIncidentArchived, inc))
		want[inc.ID] = kpi.FromIncident(inc)
	}
	wait(t, j.Append(evs))
	wait(t, j.Append([]cc112.Event{docEvent(7, cc112.EvIncidentRestored, &cc112.Incident{ID: "inc-2"})}))
	walk := func(a kpi.Archive, from, to time.Time, max int) string {
		t.Helper()
		var ids []string
		if err := a.EachArchivedRecord(ctx, from, to, func(rec []byte) bool {
			r, err := kpi.DecodeRecord(rec)
			if err != nil {
				t.Fatal(err)
			}
			w := want[r.ID]
			if r.ReceivedAt, w.ReceivedAt = r.ReceivedAt.UTC(), w.ReceivedAt.UTC(); !reflect.DeepEqual(r, w) {
				t.Errorf("record %+v, want %+v", r, w)
			}
			ids = append(ids, r.ID)
			return len(ids) < max
		}); err != nil {
			t.Fatal(err)
		}
		if len(ids) == max {
			return fmt.Sprint(max, " records")
		}
		slices.Sort(ids)
		return fmt.Sprint(ids)
	}
	// pages walks [from, to) after after in pages of limit records, each
	// page after the last record read, in the order read.
	pages := func(a kpi.Archive, from, to time.Time, after *cc112.HistoryKey, limit int) string {
		t.Helper()
		ids := []string{}
		for {
			n := 0
			if err := a.ArchivedRecordsAfter(ctx, from, to, after, limit, func(rec []byte) bool {
				r, err := kpi.DecodeRecord(rec)
				if err != nil {
					t.Fatal(err)
				}
				n++
				ids = append(ids, r.ID)
				after = &cc112.HistoryKey{ReceivedAt: r.ReceivedAt, ID: r.ID}
				return true
			}); err != nil {
				t.Fatal(err)
			}
			if n > limit || len(ids) > 10 {
				t.Fatalf("%d records in a page of %d; %v so far", n, limit, ids)
			}
			if n < limit {
				return fmt.Sprint(ids)
			}
		}
	}
	return func(j cc112.Journal) {
		t.Helper()
		a, ok := j.(kpi.Archive)
		if !ok {
			t.Fatalf("%T is no kpi.Archive", j)
		}
		at := func(h time.Duration, id string) *cc112.HistoryKey {
			return &cc112.HistoryKey{ReceivedAt: base.Add(h * time.Hour), ID: id}
		}
		for _, c := range []struct {
			from, to time.Time
			after    *cc112.HistoryKey
			limit    int
			want     string
		}{
			{time.Time{}, time.Time{}, nil, 2, "[inc-0 inc-1 inc-3 inc-4 inc-5]"},
			{time.Time{}, time.Time{}, nil, 1, "[inc-0 inc-1 inc-3 inc-4 inc-5]"},
			{base.Add(time.Hour), base.Add(4 * time.Hour), nil, 1, "[inc-1 inc-3]"},
			{time.Time{}, time.Time{}, at(3, ""), 100, "[inc-3 inc-4 inc-5]"},
			{time.Time{}, base.Add(5 * time.Hour), at(3, "inc-3"), 100, "[inc-4]"},
			{base.Add(time.Hour + time.Microsecond), time.Time{}, at(0, "inc-0"), 2, "[inc-3 inc-4 inc-5]"},
			{time.Time{}, time.Time{}, at(5, "inc-5"), 2, "[]"},
		} {
			if got := pages(a, c.from, c.to, c.after, c.limit); got != c.want {
				t.Errorf("[%s, %s) after %v by %d: %s, want %s", c.from, c.to, c.after, c.limit, got, c.want)
			}
		}
		for _, c := range []struct {
			from, to time.Time
			max      int
			want     string
		}{
			{time.Time{}, time.Time{}, 100, "[inc-0 inc-1 inc-3 inc-4 inc-5]"},
			{time.Time{}, time.Time{}, 2, "2 records"},
			{base.Add(time.Hour), base.Add(4 * time.Hour), 100, "[inc-1 inc-3]"},
			{base.Add(time.Hour + time.Microsecond), time.Time{}, 100, "[inc-3 inc-4 inc-5]"},
			{time.Time{}, base.Add(time.Hour + time.Microsecond), 100, "[inc-0 inc-1]"},
			{base.Add(9 * time.Hour), time.Time{}, 100, "[]"},
		} {
			if got := walk(a, c.from, c.to, c.max); got != c.want {
				t.Errorf("[%s, %s) up to %d: %s, want %s", c.from, c.to, c.max, got, c.want)
			}
		}
	}
}
