package dispatch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
	"cc112/internal/testjournal"
)

// TestEveryEngineFieldIsClassified fails when a field is added to the
// Engine without a decision: state the checkpoint carries (coreSnapshot
// and its Restore, checked by internal/statetest's property test), state
// derived from it on restore, or not state at all.
func TestEveryEngineFieldIsClassified(t *testing.T) {
	checkpointed := []string{"seq", "incidents", "units", "cameras", "numbers", "posLogged", "keys", "keyOrder", "imported",
		"rosters", "unscheduled", "agencies", "stations", "cityKnown"}
	derived := []string{"index", "unitIndex", "fleet", "camIndex"}
	notState := []string{"cfg", "log", "mu", "mode", "failure", "follow", "pub", "posSink", "types", "fold", "changes",
		"sortMu", "searchMu", "ckpt", "archiving", "shiftsArchiving", "importsArchived", "importedPeak", "incidentsPeak"}
	known := slices.Concat(checkpointed, derived, notState)
	typ := reflect.TypeOf(Engine{})
	for i := range typ.NumField() {
		if name := typ.Field(i).Name; !slices.Contains(known, name) {
			t.Errorf("Engine.%s is neither checkpointed (coreSnapshot), derived on restore, nor declared not state", name)
		}
	}
}

// ckptFixture is an engine on a real journal that is also its checkpoint
// store, restarted at will.
type ckptFixture struct {
	j     cc112.Journal
	store cc112.CheckpointStore
	clock *clocktest.Clock
	log   *bytes.Buffer
	logMu *sync.Mutex
}

func (f *ckptFixture) open(t *testing.T, withStore bool, exts ...Extension) *Engine {
	t.Helper()
	f.logMu.Lock()
	f.log.Reset()
	f.logMu.Unlock()
	cfg := Config{Journal: f.j, Clock: f.clock, Logger: slog.New(slog.NewTextHandler(lockedWriter{f.log, f.logMu}, nil))}
	if withStore {
		cfg.Checkpoints = f.store
	}
	e, err := New(context.Background(), cfg, exts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (f *ckptFixture) logged() string {
	f.logMu.Lock()
	defer f.logMu.Unlock()
	return f.log.String()
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// coreDump is the core's state as a checkpoint encodes it.
func coreDump(t *testing.T, e *Engine) string {
	t.Helper()
	var b []byte
	e.Read(func() {
		var err error
		if b, err = json.Marshal(coreState{e}.Snapshot()); err != nil {
			t.Fatal(err)
		}
	})
	return string(b)
}

func eachCheckpointJournal(t *testing.T, fn func(t *testing.T, f *ckptFixture)) {
	for _, name := range testjournal.Names {
		t.Run(name, func(t *testing.T) {
			j := testjournal.Open(t, name)
			fn(t, &ckptFixture{j: j, store: j.(cc112.CheckpointStore), clock: clocktest.New(t0), log: &bytes.Buffer{}, logMu: &sync.Mutex{}})
		})
	}
}

// work issues n commands: incidents created, units sent, one closed.
func work(t *testing.T, e *Engine, clock *clocktest.Clock, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		clock.Advance(time.Minute)
		p := near(float64(i*100), 0)
		inc, err := e.CreateIncident(ctx, NewIncident{Category: cc112.CatMedical, Location: &p, Address: "Jl. Darmo"}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := e.AutoAssign(ctx, inc.ID, "", ""); err == nil {
				_, _ = e.CloseIncident(ctx, inc.ID, "done", "", "")
			}
		}
	}
}

// TestCheckpointFallbacks: a start uses the newest valid checkpoint, the
// one before it when the newest is corrupt, ahead of the journal or of
// another schema, and replays the whole journal (saying so, and counting
// it) when none is usable. Every start ends in the state of a full replay.
func TestCheckpointFallbacks(t *testing.T) {
	eachCheckpointJournal(t, func(t *testing.T, f *ckptFixture) {
		ctx := context.Background()
		e := f.open(t, true)
		if err := e.RegisterUnits(ctx, testUnits()); err != nil {
			t.Fatal(err)
		}
		work(t, e, f.clock, 4)
		first, err := e.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		work(t, e, f.clock, 4)
		second, err := e.Checkpoint(ctx)
		if err != nil || second <= first {
			t.Fatalf("second checkpoint at %d after %d: %v", second, first, err)
		}
		work(t, e, f.clock, 3) // the tail
		want := coreDump(t, f.open(t, false))

		start := func(wantLoaded uint64, wantLog string) {
			t.Helper()
			e := f.open(t, true)
			st := e.CheckpointStats()
			if st.LoadedSeq != wantLoaded {
				t.Fatalf("loaded checkpoint %d, want %d; log:\n%s", st.LoadedSeq, wantLoaded, f.logged())
			}
			if wantLoaded == 0 && st.FullReplays != 1 {
				t.Fatalf("full replay not counted: %+v", st)
			}
			if wantLog != "" && !strings.Contains(f.logged(), wantLog) {
				t.Fatalf("log does not say %q:\n%s", wantLog, f.logged())
			}
			if got := coreDump(t, e); got != want {
				t.Fatalf("state after a start from checkpoint %d differs from a full replay", wantLoaded)
			}
		}
		start(second, "checkpoint loaded")

		list, err := f.store.Checkpoints(ctx)
		if err != nil || len(list) != cc112.CheckpointsKept {
			t.Fatalf("%d checkpoints stored, want %d: %v", len(list), cc112.CheckpointsKept, err)
		}
		newest, older := list[0], list[1]
		save := func(c cc112.Checkpoint) {
			t.Helper()
			if err := f.store.SaveCheckpoint(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		// A flipped byte: the checksum no longer matches.
		bad := newest
		bad.Data = bytes.Clone(newest.Data)
		bad.Data[len(bad.Data)/2] ^= 0x20
		save(bad)
		start(first, "its checksum does not match")

		// Both corrupt: the whole journal, loudly.
		bad2 := older
		bad2.Data = bad2.Data[:len(bad2.Data)/3]
		save(bad2)
		start(0, "full replay: no usable checkpoint")

		// Valid checksums, but written by another schema or beyond the
		// journal's end: not restored either.
		other := bytes.Replace(older.Data, []byte(`"schema":"`), []byte(`"schema":"x`), 1)
		save(cc112.Checkpoint{Seq: older.Seq, At: older.At, Sum: sha256.Sum256(other), Data: other})
		start(0, "written with state schema")
		save(newest) // readable again, and a checkpoint past the journal's end
		ahead := bytes.Replace(newest.Data, []byte(`"seq":`), []byte(`"seq":9`), 1)
		save(cc112.Checkpoint{Seq: f.j.LastSeq() + 1000, At: newest.At, Sum: sha256.Sum256(ahead), Data: ahead})
		start(second, "the journal ends at")
	})
}

// plainExtension has state but no Snapshotter.
type plainExtension struct{ n int }

func (x *plainExtension) Register(r *Registry) {
	Handle(r, "plain.counted", func(_ *Fold, _ struct{}) error { x.n++; return nil })
}

// TestExtensionWithoutSnapshotMeansFullReplay: an extension that cannot
// be checkpointed keeps the engine from writing checkpoints or trusting
// one (its state would be missing), and the start says so.
func TestExtensionWithoutSnapshotMeansFullReplay(t *testing.T) {
	eachCheckpointJournal(t, func(t *testing.T, f *ckptFixture) {
		ctx := context.Background()
		e := f.open(t, true)
		if err := e.RegisterUnits(ctx, testUnits()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		e = f.open(t, true, &plainExtension{})
		if st := e.CheckpointStats(); st.LoadedSeq != 0 || st.FullReplays != 1 {
			t.Fatalf("stats %+v: want a full replay", st)
		}
		if !strings.Contains(f.logged(), "extensions without a snapshot") {
			t.Fatalf("the start does not say why it replays everything:\n%s", f.logged())
		}
		if _, err := e.Checkpoint(ctx); err == nil || !strings.Contains(err.Error(), "plainExtension") {
			t.Fatalf("checkpoint with an extension without a snapshot: %v", err)
		}
	})
}
