package kpi

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"cc112"
)

// randomRecords are n records of distinct IDs, as randomIndex makes them.
func randomRecords(seed uint64, n int) []Record {
	r := rand.New(rand.NewPCG(seed, 2))
	agencies := []string{"damkar", "polri", "dinkes", "bpbd", "satpolpp", "dkp"}
	out := make([]Record, n)
	for i := range out {
		rc := rec(fmt.Sprintf("inc_%d", i), []string{"fire", "flood", "medical"}[r.IntN(3)], fmt.Sprintf("D%d", r.IntN(5)),
			slices.Clip(agencies[:r.IntN(len(agencies))]),
			time.Duration(r.IntN(400*24*3600))*time.Second+time.Duration(r.IntN(1e9)), r.IntN(90)-5, r.IntN(90)-5, r.IntN(600)-30)
		rc.Number = fmt.Sprintf("SBY-%d-%d", i, r.IntN(1000))
		rc.Priority = r.IntN(4) + 1
		rc.Open, rc.Imported, rc.Cancelled, rc.ClosedBeforeReceived = r.IntN(10) == 0, r.IntN(7) == 0, r.IntN(9) == 0, r.IntN(20) == 0
		rc.ReceivedAt = rc.ReceivedAt.UTC()
		if len(rc.Agencies) == 0 {
			rc.Agencies = nil // as FromIncident and DecodeRecord have none
		}
		if r.IntN(50) == 0 {
			rc.Values[Travel] = Value{Seconds: -3.25, State: OutOfOrder}
		}
		out[i] = rc
	}
	return out
}

// memArchive is an archive of records in memory, for the index's own
// tests (the journals' are tested in bolt and postgres).
type memArchive struct {
	recs   []Record
	err    error
	during func() // called once the first record is read
}

func (a *memArchive) EachArchivedRecord(ctx context.Context, from, to time.Time, fn func([]byte) bool) error {
	if a.err != nil {
		return a.err
	}
	// Newest first: kpi.Archive promises no order.
	sorted := slices.SortedFunc(slices.Values(a.recs), func(x, y Record) int { return y.ReceivedAt.Compare(x.ReceivedAt) })
	for k, r := range sorted {
		if k == 1 && a.during != nil {
			a.during()
		}
		if (from.IsZero() || !r.ReceivedAt.Before(from)) && (to.IsZero() || r.ReceivedAt.Before(to)) && !fn(AppendRecord(nil, r)) {
			return nil
		}
	}
	return nil
}

// ArchivedRecordsAfter pages the records in (received time, ID) order.
func (a *memArchive) ArchivedRecordsAfter(ctx context.Context, from, to time.Time, after *cc112.HistoryKey, limit int, fn func([]byte) bool) error {
	if a.err != nil {
		return a.err
	}
	sorted := slices.SortedFunc(slices.Values(a.recs), func(x, y Record) int {
		return cmp.Or(x.ReceivedAt.Compare(y.ReceivedAt), cmp.Compare(x.ID, y.ID))
	})
	n := 0
	for _, r := range sorted {
		if after != nil && cmp.Or(r.ReceivedAt.Compare(after.ReceivedAt), cmp.Compare(r.ID, after.ID)) <= 0 {
			continue
		}
		if (!from.IsZero() && r.ReceivedAt.Before(from)) || (!to.IsZero() && !r.ReceivedAt.Before(to)) {
			continue
		}
		if n == limit {
			return nil
		}
		if n++; n == 2 && a.during != nil {
			a.during()
		}
		if !fn(AppendRecord(nil, r)) {
			return nil
		}
	}
	return nil
}

func TestRecordEncodingRoundTrips(t *testing.T) {
	for _, r := range append(randomRecords(1, 500), Record{ReceivedAt: time.Unix(0, 0).UTC()}) {
		b := AppendRecord([]byte("x"), r)[1:]
		got, err := DecodeRecord(b)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("decoded\n%+v\nwant\n%+v", got, r)
		}
	}
}

// A record that is not whole and well formed is refused, never half read.
func TestRecordDecodingRefusesDamage(t *testing.T) {
	r := randomRecords(2, 1)[0]
	r.Agencies = []string{"polri", "damkar"}
	good := AppendRecord(nil, r)
	for n := range len(good) {
		if _, err := DecodeRecord(good[:n]); err == nil {
			t.Errorf("truncated to %d of %d bytes: decoded", n, len(good))
		}
	}
	bad := map[string][]byte{
		"trailing": append(slices.Clone(good), 0),
		"format":   append([]byte{recordFormat + 1}, good[1:]...),
	}
	flagged := slices.Clone(good)
	// The flags byte follows the strings, priority and the call's instant.
	at := 1
	for _, s := range []string{r.ID, r.Number, r.Category, r.District} {
		at += len(appendString(nil, s))
	}
	at += len(binary.AppendVarint(binary.AppendVarint(binary.AppendUvarint(nil, uint64(r.ReceivedAt.Nanosecond())), r.ReceivedAt.Unix()), int64(r.Priority)))
	if flagged[at] != r.flags() {
		t.Fatalf("byte %d is %#x, not the flags %#x", at, flagged[at], r.flags())
	}
	flagged[at] |= 1 << 6
	bad["unknown flag"] = flagged
	for name, b := range bad {
		if _, err := DecodeRecord(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// Forget keeps the index what a map of the records put and not forgotten
// says (rows, positions, agencies beyond a row's three, open count,
// compacted text), also while a snapshot shares its rows: the snapshot
// stays the picture of when it was taken.
func TestForgetMatchesAMap(t *testing.T) {
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 3))
		pool := randomRecords(seed, 3*rowChunk)
		x := NewIndex(cc112.WIB)
		model := map[string]Record{}
		var snap any
		var snapWant []Record
		for step := range 12 * rowChunk {
			rc := pool[r.IntN(len(pool))]
			switch k := r.IntN(10); {
			case k < 5:
				if r.IntN(4) == 0 {
					rc.Number += "-renumbered" // new text, the old dead
				}
				x.Put(rc)
				model[rc.ID] = rc
			default:
				x.Forget(rc.ID)
				delete(model, rc.ID)
			}
			if step%(2*rowChunk) == rowChunk {
				if snap != nil {
					checkSnapshot(t, snap, snapWant)
				}
				snap, snapWant = x.Snapshot(), modelExport(model)
			}
			if step%997 == 0 {
				checkAgainst(t, x, model)
			}
		}
		checkAgainst(t, x, model)
		checkSnapshot(t, snap, snapWant)
		for id := range model {
			x.Forget(id)
		}
		checkAgainst(t, x, map[string]Record{})
		if x.Len() != 0 || len(x.text) != 0 || len(x.pos)+len(x.clash)+len(x.more) != 0 || len(x.rows.chunks) != 0 {
			t.Fatalf("seed %d: all forgotten, yet %d rows, %d text bytes, %d/%d/%d positions, clashes, agency lists, %d chunks",
				seed, x.Len(), len(x.text), len(x.pos), len(x.clash), len(x.more), len(x.rows.chunks))
		}
	}
}

func modelExport(model map[string]Record) []Record {
	out := slices.Collect(func(yield func(Record) bool) {
		for _, r := range model {
			if !r.Cancelled && !yield(r) {
				return
			}
		}
	})
	slices.SortFunc(out, func(a, b Record) int {
		return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), cmp.Compare(a.Number, b.Number))
	})
	for i := range out {
		out[i].ReceivedAt = out[i].ReceivedAt.In(cc112.WIB)
		if len(out[i].Agencies) == 0 {
			out[i].Agencies = nil
		}
	}
	return out
}

func checkAgainst(t *testing.T, x *Index, model map[string]Record) {
	t.Helper()
	open := 0
	for _, r := range model {
		if r.Open {
			open++
		}
	}
	if x.Len() != len(model) || x.Open() != open {
		t.Fatalf("%d rows, %d open; the map has %d, %d", x.Len(), x.Open(), len(model), open)
	}
	if got, want := exported(t, x), modelExport(model); !reflect.DeepEqual(got, want) {
		t.Fatalf("export differs from the map: %d records, want %d", len(got), len(want))
	}
	x.read(func() {
		if x.dead > len(x.text)-x.dead {
			t.Fatalf("text not compacted: %d of %d bytes dead", x.dead, len(x.text))
		}
		for id := range model {
			if _, ok := x.find(id); !ok {
				t.Fatalf("%s not found", id)
			}
		}
	})
}

func checkSnapshot(t *testing.T, snap any, want []Record) {
	t.Helper()
	raw, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	if got := exported(t, restored(t, raw)); !reflect.DeepEqual(got, want) {
		t.Fatalf("the snapshot changed with the index: %d records, want %d", len(got), len(want))
	}
}

// A report and an export over the archive and the index answer exactly
// as one index holding every record; an incident in both (restored while
// the archive was read) counts once, as memory has it.
func TestReportsReadTheArchive(t *testing.T) {
	for seed := range uint64(3) {
		recs := randomRecords(seed, 2500)
		all := NewIndex(cc112.WIB)
		arch := &memArchive{}
		x := NewIndex(cc112.WIB)
		x.UseArchive(arch)
		for i, r := range recs {
			switch i % 4 {
			case 0, 1: // archived: closed
				r.Open = false
				arch.recs = append(arch.recs, r)
			case 2: // in memory
				x.Put(r)
			case 3: // restored and changed: the archive's copy is older
				old := r
				old.Category, old.Values[Response] = "flood", Value{Seconds: 1, State: OK}
				arch.recs = append(arch.recs, old)
				x.Put(r)
			}
			all.Put(r)
		}
		if x.Len() != 2500/2 {
			t.Fatalf("%d rows in memory", x.Len())
		}
		// An incident restored while a report reads the archive is in both:
		// memory's is taken.
		restored := recs[0]
		restored.Category, restored.Open = "medical", true
		all.Put(restored)
		reads := 0
		arch.during = func() {
			if reads++; reads == 1 {
				x.Put(restored)
			}
		}
		got := reports(t, x)[:1]
		if want := reports(t, all)[:1]; !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got[0])
			w, _ := json.Marshal(want[0])
			t.Fatalf("seed %d: a record restored during the report:\n%s\nwant\n%s", seed, g, w)
		}
		arch.during = nil
		if got, want := reports(t, x), reports(t, all); !reflect.DeepEqual(got, want) {
			for k := range got {
				if !reflect.DeepEqual(got[k], want[k]) {
					g, _ := json.Marshal(got[k])
					w, _ := json.Marshal(want[k])
					t.Fatalf("seed %d: report %d differs from one index holding all:\n%s\n%s", seed, k, g, w)
				}
			}
		}
		for _, q := range []Query{{}, {From: t0.Add(30 * 24 * time.Hour), To: t0.Add(90*24*time.Hour + time.Second/2)}, {Category: "fire", Agency: "polri"}} {
			if got, want := exportOf(t, x, q), exportOf(t, all, q); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d: export %+v differs: %d records, want %d", seed, q, len(got), len(want))
			}
		}
		if x.Len() != 2500/2+1 {
			t.Fatalf("a report changed the index: %d rows", x.Len())
		}
	}
}

func exportOf(t *testing.T, x *Index, q Query) []Record {
	t.Helper()
	var out []Record
	if err := x.Export(context.Background(), q, func(rs []Record) error { out = append(out, rs...); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// An archive that cannot be read fails a report and an export as
// unavailable, before any record is handed out: no partial figures.
func TestUnreadableArchiveIsUnavailable(t *testing.T) {
	x := NewIndex(cc112.WIB)
	x.UseArchive(&memArchive{err: errors.New("disk gone")})
	x.Put(rec("a", "fire", "", nil, 0, 1, 1, 1))
	if _, err := x.Report(context.Background(), Query{}, DefaultTargets()); cc112.ErrorCode(err) != cc112.EUnavailable {
		t.Errorf("report: %v, want unavailable", err)
	}
	called := false
	err := x.Export(context.Background(), Query{}, func([]Record) error { called = true; return nil })
	if cc112.ErrorCode(err) != cc112.EUnavailable || called {
		t.Errorf("export: %v (records handed out: %v), want unavailable before any", err, called)
	}
	if _, err := x.Report(context.Background(), Query{GroupBy: "week"}, DefaultTargets()); cc112.ErrorCode(err) != cc112.EInvalid {
		t.Errorf("a bad query: %v, want invalid", err)
	}
}

// gateArchive holds every read of the archive until open is closed.
type gateArchive struct {
	memArchive
	entered chan struct{}
	open    chan struct{}
}

func (a *gateArchive) EachArchivedRecord(ctx context.Context, from, to time.Time, fn func([]byte) bool) error {
	a.entered <- struct{}{}
	<-a.open
	return a.memArchive.EachArchivedRecord(ctx, from, to, fn)
}

func (a *gateArchive) ArchivedRecordsAfter(ctx context.Context, from, to time.Time, after *cc112.HistoryKey, limit int, fn func([]byte) bool) error {
	a.entered <- struct{}{}
	<-a.open
	return a.memArchive.ArchivedRecordsAfter(ctx, from, to, after, limit, fn)
}

// TestWindowsAreBounded: at most maxWindows reports and exports hold a
// window of archived records at once; one more waits without reading the
// archive until one ends (or its request does: unavailable), and a failed
// read gives its place back. In a synctest bubble: Wait returns once every
// goroutine is blocked, so "it waits" is checked without a timer.
func TestWindowsAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		arch := &gateArchive{memArchive: memArchive{recs: randomRecords(3, 50)}, entered: make(chan struct{}, 10), open: make(chan struct{})}
		x := NewIndex(cc112.WIB)
		x.UseArchive(arch)
		results := make(chan error, maxWindows+1)
		for k := range maxWindows + 1 {
			go func() {
				if k%2 == 0 {
					_, err := x.Report(context.Background(), Query{}, DefaultTargets())
					results <- err
					return
				}
				results <- x.Export(context.Background(), Query{}, func([]Record) error { return nil })
			}()
		}
		synctest.Wait()
		if n := len(arch.entered); n != maxWindows {
			t.Fatalf("%d reads of the archive at once, want %d", n, maxWindows)
		}
		gone, cancel := context.WithCancel(context.Background())
		waited := make(chan error, 1)
		go func() {
			_, err := x.Report(gone, Query{}, DefaultTargets())
			waited <- err
		}()
		synctest.Wait()
		cancel()
		if err := <-waited; cc112.ErrorCode(err) != cc112.EUnavailable {
			t.Fatalf("a report beyond the bound, its request gone: %v, want unavailable", err)
		}
		close(arch.open)
		for range maxWindows + 1 {
			if err := <-results; err != nil {
				t.Fatal(err)
			}
		}
		if n := len(arch.entered); n != maxWindows+1 {
			t.Fatalf("%d reads of the archive, want %d (the cancelled one read nothing)", n, maxWindows+1)
		}
		for range maxWindows + 1 { // each failure gives its window back
			arch.err = errors.New("disk gone")
			if _, err := x.Report(context.Background(), Query{}, DefaultTargets()); cc112.ErrorCode(err) != cc112.EUnavailable {
				t.Fatalf("unreadable archive: %v", err)
			}
		}
		arch.err = nil
		if _, err := x.Report(context.Background(), Query{}, DefaultTargets()); err != nil {
			t.Fatal(err)
		}
	})
}

// An incident archived and forgotten while a report reads the archive
// (whose read began before it was archived, so it is not there) still
// counts, as memory had it when the report began; so does one the export
// lists.
func TestForgottenDuringTheArchiveReadCounts(t *testing.T) {
	recs := randomRecords(5, 40)
	for i := range recs {
		recs[i].Cancelled, recs[i].Open = false, false
	}
	x, all, arch := splitArchive(recs)
	gone := recs[35].ID                     // odd: in memory
	arch.during = func() { x.Forget(gone) } // archived after the archive's read began
	if rep, want := reportOf(t, x), reportOf(t, all); !reflect.DeepEqual(rep.Overall, want.Overall) {
		t.Fatalf("an incident forgotten during the report: %+v, want %+v", rep.Overall, want.Overall)
	}
	x.Put(recs[35])
	if got, want := exportOf(t, x, Query{}), exportOf(t, all, Query{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("an incident forgotten during the export: %d records, want %d", len(got), len(want))
	}
}

// withBudgets runs fn with a report's budgets set as given.
func withBudgets(t *testing.T, collect, buckets int, fn func()) {
	t.Helper()
	c, b := collectBudget, bucketBudget
	collectBudget, bucketBudget = collect, buckets
	defer func() { collectBudget, bucketBudget = c, b }()
	fn()
}

// splitArchive puts half the records (closed) in an archive and the rest
// in memory, and all of them in one index, for comparison.
func splitArchive(recs []Record) (x, all *Index, arch *memArchive) {
	all, arch, x = NewIndex(cc112.WIB), &memArchive{}, NewIndex(cc112.WIB)
	x.UseArchive(arch)
	for i, r := range recs {
		if i%2 == 0 {
			r.Open = false
			arch.recs = append(arch.recs, r)
		} else {
			x.Put(r)
		}
		all.Put(r)
	}
	return x, all, arch
}

// millisecondRecords are randomRecords with values to the microsecond, a
// few of days and one beyond what an int32 of milliseconds holds.
func millisecondRecords(seed uint64, n int) []Record {
	recs := randomRecords(seed, n)
	r := rand.New(rand.NewPCG(seed, 4))
	for i := range recs {
		for k := range recs[i].Values {
			if v := &recs[i].Values[k]; v.State == OK {
				v.Seconds += float64(r.IntN(1e6)) / 1e6
				if r.IntN(200) == 0 {
					v.Seconds += float64(r.IntN(5 * 24 * 3600))
				}
			}
		}
	}
	recs[n/3].Values[Response] = Value{Seconds: 40 * 24 * 3600.0005, State: OK}
	return recs
}

// Beyond its budget a report over the archive finds its percentiles by
// refinement passes: the figures are those of one index holding all,
// whatever the budgets (down to one bucket split per pass), group-bys and
// windows.
func TestReportBeyondTheBudgetIsExact(t *testing.T) {
	for seed := range uint64(3) {
		x, all, _ := splitArchive(millisecondRecords(seed, 1500))
		for _, b := range []struct{ collect, buckets int }{{1 << 23, 1 << 21}, {600, 64}, {40, 2}, {1, 2}} {
			withBudgets(t, b.collect, b.buckets, func() {
				got, want := reports(t, x), reports(t, all)
				for k := range got {
					if !reflect.DeepEqual(got[k], want[k]) {
						g, _ := json.Marshal(got[k])
						w, _ := json.Marshal(want[k])
						t.Fatalf("seed %d, budgets %+v: report %d differs from one index holding all:\n%s\n%s", seed, b, k, g, w)
					}
				}
			})
		}
	}
}

// An incident restored between two passes of a report (its archived copy
// read by the first, gone for the next) makes the report start over: it
// counts once, as memory has it.
func TestRestoredBetweenPassesStartsOver(t *testing.T) {
	recs := millisecondRecords(7, 300)
	for i := range recs {
		recs[i].Cancelled = false
	}
	x, all, arch := splitArchive(recs)
	back := recs[4]
	back.Open, back.Values[Response] = true, Value{Seconds: 9999.5, State: OK}
	all.Put(back)
	reads := 0
	arch.during = func() {
		if reads++; reads == 2 { // the first refinement pass: the next one misses it
			arch.recs = slices.DeleteFunc(arch.recs, func(r Record) bool { return r.ID == back.ID })
			x.Put(back)
		}
	}
	withBudgets(t, 1, 2, func() {
		if got, want := reportOf(t, x), reportOf(t, all); !reflect.DeepEqual(got, want) {
			t.Fatalf("restored between passes:\n%+v\nwant\n%+v", got.Overall, want.Overall)
		}
	})
	if reads < 4 {
		t.Fatalf("%d reads of the archive: the report did not start over", reads)
	}
}

// The IDs a first pass read are told apart exactly up to idSetExact, then
// by a Bloom filter: never a false "no".
func TestIDSetNeverForgets(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	s := newIDSet()
	var added []uint64
	for range idSetExact + 1000 {
		h := r.Uint64()
		s.add(h)
		added = append(added, h)
		if len(added) == 1000 && (!s.has(added[500]) || s.has(r.Uint64())) {
			t.Fatal("exact set wrong")
		}
	}
	for _, h := range added {
		if !s.has(h) {
			t.Fatalf("%x added, not found", h)
		}
	}
	false1 := 0
	for range 10000 {
		if s.has(r.Uint64()) {
			false1++
		}
	}
	if false1 > 100 {
		t.Fatalf("%d of 10000 false positives", false1)
	}
}

func reportOf(t *testing.T, x *Index) *Report {
	t.Helper()
	rep, err := x.Report(context.Background(), Query{}, DefaultTargets())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// withExportPage runs fn with an export reading pages of n archived records.
func withExportPage(n int, fn func()) {
	p := exportPage
	exportPage = n
	defer func() { exportPage = p }()
	fn()
}

// An export over the archive in pages of any size (down to one record,
// with many records in one second: a page of one second is read again,
// larger) lists what one index holding all lists, in the same order.
func TestExportStreamsInPages(t *testing.T) {
	for seed := range uint64(3) {
		recs := randomRecords(seed, 600)
		for i := range recs {
			if i%3 == 0 { // a busy second: ties broken by nanoseconds, then number
				recs[i].ReceivedAt = t0.Add(time.Duration(i%4)*time.Second + time.Duration(i%2)*time.Millisecond).UTC()
			}
		}
		x, all, _ := splitArchive(recs)
		for _, page := range []int{1, 3, 64, 4096} {
			withExportPage(page, func() {
				for _, q := range []Query{{}, {From: t0.Add(time.Second), To: t0.Add(90*24*time.Hour + time.Second/2)}, {Category: "fire", Agency: "polri"}, {District: "nowhere"}} {
					if got, want := exportOf(t, x, q), exportOf(t, all, q); !reflect.DeepEqual(got, want) {
						t.Fatalf("seed %d, pages of %d: export %+v differs: %d records, want %d", seed, page, q, len(got), len(want))
					}
				}
			})
		}
	}
}

// Incidents that move between memory and the archive while an export
// downloads (between two pages, as the engine moves them: memory first,
// then the journal) are listed once: one restored or archived before the
// export passed its second as memory has it then, one whose second was
// passed as it was listed; a new one too.
func TestExportFollowsMovesBetweenPages(t *testing.T) {
	recs := randomRecords(7, 300)
	for i := range recs {
		recs[i].Cancelled = false
	}
	x, all, arch := splitArchive(recs)
	byTime := func(rs []Record) []Record {
		return slices.SortedFunc(slices.Values(rs), func(a, b Record) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	}
	archived := byTime(arch.recs)
	var inMemory []Record
	for i, r := range recs {
		if i%2 == 1 {
			inMemory = append(inMemory, r)
		}
	}
	inMemory = byTime(inMemory)
	const page, movesAt = 10, 5 // the moves happen while the sixth page is read (archived 45 to 54: each page reads its last second again)
	if !inMemory[0].ReceivedAt.Before(archived[40].ReceivedAt) {
		t.Fatal("the earliest incident in memory is not among the passed: choose another seed")
	}
	restoreLate, restoreMid, restoreEarly := archived[len(archived)-1], archived[50], archived[0]
	restoreLate.Category, restoreMid.Category, restoreEarly.Category = "medical", "medical", "medical"
	archiveLate, archiveEarly := inMemory[len(inMemory)-1], inMemory[0]
	fresh := rec("new", "fire", "D1", nil, 0, 1, 1, 1)
	fresh.ReceivedAt = archived[len(archived)-1].ReceivedAt.Add(time.Hour)
	all.Put(restoreLate) // restoreEarly: listed before, from the archive
	all.Put(restoreMid)  // read with the page, and in memory before the page is listed
	all.Put(fresh)
	calls := 0
	arch.during = func() { // during a page's read: that page is read as the archive was
		if calls++; calls != movesAt+1 {
			return
		}
		for _, r := range []Record{restoreLate, restoreMid, restoreEarly} {
			x.Put(r)
			arch.recs = slices.DeleteFunc(arch.recs, func(a Record) bool { return a.ID == r.ID })
		}
		for _, r := range []Record{archiveLate, archiveEarly} {
			x.Forget(r.ID)
			r.Open = false
			arch.recs = append(arch.recs, r)
		}
		x.Put(fresh)
	}
	withExportPage(page, func() {
		got, want := exportOf(t, x, Query{}), exportOf(t, all, Query{})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("records moved during the export: %d records, want %d", len(got), len(want))
		}
	})
}

// An incident whose call time is corrected while an export downloads
// (later or earlier) is listed once, at its place when the export began,
// as memory has it when that place comes.
func TestExportListsACorrectedCallOnce(t *testing.T) {
	recs := randomRecords(8, 200)
	for i := range recs {
		recs[i].Cancelled = false
	}
	x, _, arch := splitArchive(recs)
	var inMemory []Record
	for i, r := range recs {
		if i%2 == 1 {
			inMemory = append(inMemory, r)
		}
	}
	slices.SortFunc(inMemory, func(a, b Record) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	later, earlier := inMemory[len(inMemory)-2], inMemory[len(inMemory)-1]
	later.ReceivedAt = later.ReceivedAt.Add(24 * time.Hour)
	earlier.ReceivedAt = t0.Add(-24 * time.Hour)
	calls := 0
	arch.during = func() {
		if calls++; calls == 3 {
			x.Put(later)
			x.Put(earlier)
		}
	}
	var got []Record
	withExportPage(5, func() { got = exportOf(t, x, Query{}) })
	if calls < 4 {
		t.Fatalf("%d pages: the correction came after the last", calls)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records listed, want %d", len(got), len(recs))
	}
	for _, want := range []Record{later, earlier} {
		n := 0
		for _, r := range got {
			if r.ID == want.ID {
				n++
				if !r.ReceivedAt.Equal(want.ReceivedAt) {
					t.Errorf("%s listed as received %s, want %s (memory's)", r.ID, r.ReceivedAt, want.ReceivedAt)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s listed %d times", want.ID, n)
		}
	}
}
