package journaltest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"cc112"
)

// PastArchive checks a journal's ImportArchive and ShiftArchive against
// the events that write them: an archived imported incident's external
// id is found, a live one's and a restored one's are not; the shift
// covering a time per unit, and a unit's shifts ending after a time from
// a cursor (times to the nanosecond, as the engine holds them); a
// roster.archived that is not shifts is refused and writes nothing; a
// reopened journal answers the same. open reopens the same storage.
func PastArchive(t *testing.T, open func() cc112.Journal) {
	ctx := context.Background()
	j := open()
	archive := func(seq uint64, typ string, inc *cc112.Incident) cc112.Event {
		data, err := json.Marshal(cc112.IncidentDocumentPayload{Incident: inc})
		if err != nil {
			t.Fatal(err)
		}
		return event(seq, typ, string(data))
	}
	imported := func(k int) *cc112.Incident {
		return &cc112.Incident{ID: fmt.Sprint("inc-", k), Number: fmt.Sprint("EXT-", k), Source: cc112.ImportSource,
			Status: cc112.IncidentClosed, ReceivedAt: t0.Add(time.Duration(k) * time.Hour)}
	}
	live := &cc112.Incident{ID: "inc-9", Number: "EXT-9", Source: "phone", Status: cc112.IncidentClosed, ReceivedAt: t0}
	wait(t, j.Append([]cc112.Event{archive(1, cc112.EvIncidentArchived, imported(1)), archive(2, cc112.EvIncidentArchived, imported(2)),
		archive(3, cc112.EvIncidentArchived, live), archive(4, cc112.EvIncidentArchived, imported(3))}))
	wait(t, j.Append([]cc112.Event{archive(5, cc112.EvIncidentRestored, imported(2))}))

	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	shift := func(unit string, from, to int) cc112.Shift {
		return cc112.Shift{UnitID: unit, Crew: []string{unit + "-crew"}, From: h(from), To: h(to)}
	}
	shifts := func(seq uint64, list ...cc112.Shift) cc112.Event {
		data, err := json.Marshal(cc112.RosterArchivedPayload{Shifts: list})
		if err != nil {
			t.Fatal(err)
		}
		return event(seq, cc112.EvRosterArchived, string(data))
	}
	// "u" and "u1" share a prefix.
	wait(t, j.Append([]cc112.Event{shifts(6, shift("u", 0, 8), shift("u", 10, 18), shift("u1", 0, 16)), shifts(7, shift("u", 18, 20), shift("v", 30, 40))}))
	if err := <-j.Append([]cc112.Event{shifts(8, cc112.Shift{UnitID: "w", From: h(50), To: h(49)})}); err == nil {
		t.Error("a shift ending before it begins was stored")
	}

	check := func(when string, j cc112.Journal) {
		t.Helper()
		got, err := j.(cc112.ImportArchive).ArchivedImports(ctx, []string{"EXT-1", "EXT-2", "EXT-3", "EXT-9", "EXT-404"})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "map[EXT-1:inc-1 EXT-3:inc-3]" {
			t.Errorf("%s: archived imports %v", when, got)
		}
		a := j.(cc112.ShiftArchive)
		name := func(list []cc112.Shift, unit bool) string {
			s := ""
			for _, x := range list {
				if !x.From.Equal(h(int(x.From.Sub(t0).Hours()))) || len(x.Crew) != 1 {
					t.Errorf("%s: shift %+v is not as stored", when, x)
				}
				if unit {
					s += x.UnitID + "@"
				}
				s += fmt.Sprintf("%d-%d ", int(x.From.Sub(t0).Hours()), int(x.To.Sub(t0).Hours()))
			}
			return s
		}
		for n, want := range map[int]string{0: "u@0-8 u1@0-16 ", 7: "u@0-8 u1@0-16 ", 8: "u1@0-16 ", 10: "u@10-18 u1@0-16 ",
			16: "u@10-18 ", 18: "u@18-20 ", 20: "", 35: "v@30-40 ", 50: "", -1: ""} {
			list, err := a.ArchivedShiftsAt(ctx, []string{"u", "u1", "v", "w"}, h(n))
			if err != nil {
				t.Fatal(err)
			}
			// In no order: by unit.
			byUnit := map[string]cc112.Shift{}
			for _, s := range list {
				byUnit[s.UnitID] = s
			}
			sorted := []cc112.Shift{}
			for _, u := range []string{"u", "u1", "v", "w"} {
				if s, ok := byUnit[u]; ok {
					sorted = append(sorted, s)
				}
			}
			if got := name(sorted, true); got != want || len(list) != len(sorted) {
				t.Errorf("%s: at %d h: %q, want %q", when, n, got, want)
			}
		}
		// A nanosecond before a shift ends it still covers; at its end not.
		if list, _ := a.ArchivedShiftsAt(ctx, []string{"u"}, h(8).Add(-time.Nanosecond)); len(list) != 1 {
			t.Errorf("%s: a nanosecond before 8 h: %v", when, list)
		}
		ten := h(10)
		for _, c := range []struct {
			unit  string
			from  int
			after *time.Time
			limit int
			want  string
		}{
			{"u", -5, nil, 10, "0-8 10-18 18-20 "},
			{"u", 4, nil, 10, "0-8 10-18 18-20 "},
			{"u", 8, nil, 10, "10-18 18-20 "},
			{"u", 4, nil, 2, "0-8 10-18 "},
			{"u", 4, &ten, 10, "18-20 "},
			{"u", 20, nil, 10, ""},
			{"u1", 0, nil, 10, "0-16 "},
			{"w", 0, nil, 10, ""},
		} {
			list, err := a.ArchivedShifts(ctx, c.unit, h(c.from), c.after, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := name(list, false); got != c.want {
				t.Errorf("%s: %s from %d after %v limit %d: %q, want %q", when, c.unit, c.from, c.after, c.limit, got, c.want)
			}
		}
	}
	check("written with the events", j)
	closeJournal(t, j)
	j = open()
	check("reopened", j)
	closeJournal(t, j)
}
