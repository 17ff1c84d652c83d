package kpi

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"cc112"
)

// randomIndex puts n random records, some of them again changed (an
// incident closing), with up to five agencies (beyond the row's three),
// cancelled, imported, open and out-of-order ones.
func randomIndex(t *testing.T, seed uint64, n int) *Index {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	x := NewIndex(cc112.WIB)
	agencies := []string{"damkar", "polri", "dinkes", "bpbd", "satpolpp", "dkp"}
	for i := range n {
		id := fmt.Sprintf("inc_%d", r.IntN(n)) // some twice: replaced
		var ag []string
		for _, a := range agencies[:r.IntN(len(agencies))] {
			ag = append(ag, a)
		}
		rc := rec(id, []string{"fire", "flood", "medical"}[r.IntN(3)], fmt.Sprintf("D%d", r.IntN(5)), ag,
			time.Duration(r.IntN(400*24*3600))*time.Second+time.Duration(r.IntN(1e9)), r.IntN(90)-5, r.IntN(90)-5, r.IntN(600)-30)
		rc.Number = fmt.Sprintf("SBY-%d", i)
		rc.Priority = r.IntN(4) + 1
		rc.Open, rc.Imported, rc.Cancelled, rc.ClosedBeforeReceived = r.IntN(10) == 0, r.IntN(7) == 0, r.IntN(9) == 0, r.IntN(20) == 0
		x.Put(rc)
	}
	return x
}

func exported(t *testing.T, x *Index) []Record {
	t.Helper()
	var out []Record
	if err := x.Export(context.Background(), Query{}, func(rs []Record) error { out = append(out, rs...); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func reports(t *testing.T, x *Index) []*Report {
	t.Helper()
	var out []*Report
	for _, by := range append([]string{""}, GroupBys...) {
		for _, q := range []Query{{GroupBy: by}, {GroupBy: by, Agency: "polri", From: t0.Add(24 * time.Hour)}, {GroupBy: by, District: "D3", Category: "fire"}} {
			rep, err := x.Report(context.Background(), q, DefaultTargets())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, rep)
		}
	}
	return out
}

func snapshotOf(t *testing.T, x *Index) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(x.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// restored is a new index with raw restored into it.
func restored(t *testing.T, raw json.RawMessage) *Index {
	t.Helper()
	y := NewIndex(cc112.WIB)
	install, err := y.Restore(raw)
	if err != nil {
		t.Fatal(err)
	}
	install()
	return y
}

// A restored index answers every report and export as the one it was
// taken from, and goes on the same when both get the same records.
func TestSnapshotRestoresTheSameIndex(t *testing.T) {
	for seed := range uint64(5) {
		x := randomIndex(t, seed, 3000)
		y := NewIndex(cc112.WIB)
		y.Put(rec("stale", "fire", "", nil, 0, 1, 1, 1)) // replaced by the restore
		install, err := y.Restore(snapshotOf(t, x))
		if err != nil {
			t.Fatal(err)
		}
		if y.Len() != 1 {
			t.Fatal("Restore changed the index before its install")
		}
		install()
		more := rec("inc_1", "flood", "D9", []string{"basarnas"}, time.Hour, 5, 5, 5) // one replaced, one new
		for _, z := range []*Index{x, y} {
			z.Put(more)
			z.Put(rec("new", "medical", "D1", nil, 2*time.Hour, 1, 2, 3))
		}
		if !reflect.DeepEqual(exported(t, x), exported(t, y)) {
			t.Fatalf("seed %d: export differs after restore", seed)
		}
		if !reflect.DeepEqual(reports(t, x), reports(t, y)) {
			t.Fatalf("seed %d: reports differ after restore", seed)
		}
		if x.Len() != y.Len() || x.Open() != y.Open() {
			t.Fatalf("seed %d: %d/%d incidents/open, restored %d/%d", seed, x.Len(), x.Open(), y.Len(), y.Open())
		}
	}
}

// Records queued behind a report when the snapshot is taken are in it.
func TestSnapshotHoldsQueuedRecords(t *testing.T) {
	x := randomIndex(t, 9, 200)
	x.mu.RLock() // a report in progress: Put only queues
	x.Put(rec("queued", "fire", "D1", []string{"polri"}, time.Minute, 1, 2, 3))
	s := x.Snapshot()
	x.mu.RUnlock()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(exported(t, x), exported(t, restored(t, raw))) {
		t.Fatal("the queued record is not in the snapshot")
	}
}

// A damaged or foreign snapshot is refused whole: the engine then replays
// the journal instead.
func TestSnapshotRefusesDamage(t *testing.T) {
	x := randomIndex(t, 3, 50)
	var w snapshotWire
	if err := json.Unmarshal(snapshotOf(t, x), &w); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(w *snapshotWire){
		"format": func(w *snapshotWire) { w.Format++ },
		// Format 1 held the rows of archived incidents too: restored, they
		// would stay in memory for good.
		"format 1":     func(w *snapshotWire) { w.Format = 1 },
		"truncated":    func(w *snapshotWire) { w.Rows = w.Rows[:len(w.Rows)-3] },
		"trailing":     func(w *snapshotWire) { w.Rows = append(w.Rows, 0) },
		"count":        func(w *snapshotWire) { w.Count++ },
		"no districts": func(w *snapshotWire) { w.Districts = nil },
		"agency code":  func(w *snapshotWire) { w.Agencies = w.Agencies[:1] },
		"duplicate":    func(w *snapshotWire) { w.Rows = append(w.Rows, w.Rows...); w.Count *= 2 },
	}
	for name, damage := range cases {
		c := w
		c.Rows = append([]byte(nil), w.Rows...)
		damage(&c)
		raw, _ := json.Marshal(c)
		y := NewIndex(cc112.WIB)
		if _, err := y.Restore(raw); err == nil {
			t.Errorf("%s: restored", name)
		}
	}
	if _, err := NewIndex(cc112.WIB).Restore(json.RawMessage(fmt.Sprintf(`{"format":%d,"count":1,"rows":"AA=="}`, snapshotFormat))); err == nil {
		t.Error("a row naming a category of an empty column restored")
	}
}

// Two IDs of one hash are both kept apart (the hash is 64 bits: this
// almost never happens, so it is forced here).
func TestIDsOfOneHash(t *testing.T) {
	x := NewIndex(cc112.WIB)
	x.Put(rec("a", "fire", "", nil, 0, 1, 1, 1))
	x.mu.Lock()
	x.pos[maphash.String(x.seed, "b")] = x.pos[maphash.String(x.seed, "a")] // b's hash now leads to a's row
	x.mu.Unlock()
	x.Put(rec("b", "flood", "", nil, time.Minute, 1, 1, 1))
	x.Put(rec("b", "medical", "", nil, time.Minute, 1, 1, 1))
	x.Put(rec("a", "fire", "", nil, 0, 2, 2, 2))
	got := exported(t, x)
	if len(got) != 2 || got[0].ID != "a" || got[0].Values[Processing].Seconds != 2 || got[1].ID != "b" || got[1].Category != "medical" {
		t.Fatalf("got %+v", got)
	}
	if !reflect.DeepEqual(exported(t, restored(t, snapshotOf(t, x))), got) {
		t.Fatal("restore differs")
	}
}

// A snapshot is the state when it was taken, whatever the index does
// after: rows replaced and added (across chunks) while it is encoded.
func TestSnapshotIsAStillPicture(t *testing.T) {
	x := randomIndex(t, 4, 2*rowChunk+10)
	want := exported(t, x)
	s := x.Snapshot()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := rand.New(rand.NewPCG(5, 5))
		for i := range 3 * rowChunk {
			id := fmt.Sprintf("inc_%d", r.IntN(2*rowChunk)) // replaced
			if i%2 == 0 {
				id = fmt.Sprintf("later_%d", i) // added
			}
			x.Put(rec(id, "fire", "D9", []string{"polri", "damkar", "dinkes", "bpbd"}, time.Duration(i)*time.Second, 1, 1, 1))
		}
	}()
	raw, err := json.Marshal(s)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(exported(t, restored(t, raw)), want) {
		t.Fatal("the snapshot changed with the index")
	}
	if x.Len() <= len(want) {
		t.Fatalf("the index did not go on: %d", x.Len())
	}
}

// Retain after a restore leaves the index as if the records it drops had
// been forgotten one by one: the same reports, exports and counts.
func TestRetainForgetsWhatIsNotHeld(t *testing.T) {
	x := randomIndex(t, 11, 2000)
	y := restored(t, snapshotOf(t, x))
	held := func(id string) bool { return len(id)%2 == 0 || id[len(id)-1] == '7' }
	var drop []string
	x.read(func() {
		x.rows.each(func(_ int32, r *row) {
			if id := x.id(r); !held(id) {
				drop = append(drop, id)
			}
		})
	})
	for _, id := range drop {
		x.Forget(id)
	}
	y.Retain(held)
	if len(drop) == 0 || x.Len() != y.Len() || x.Open() != y.Open() {
		t.Fatalf("dropped %d: %d/%d incidents/open, retained %d/%d", len(drop), x.Len(), x.Open(), y.Len(), y.Open())
	}
	if !reflect.DeepEqual(exported(t, x), exported(t, y)) {
		t.Fatal("export differs")
	}
	if !reflect.DeepEqual(reports(t, x), reports(t, y)) {
		t.Fatal("reports differ")
	}
}
