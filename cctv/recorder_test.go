package cctv_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/cctv"
	"cc112/cctv/camsim"
	"cc112/cctv/record"
	"cc112/cctv/rtspsrc"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/pgtest"
	"cc112/postgres"
)

// journals are the two journals every stored feature runs on; open opens
// the journal at a place that outlives one opening (a restart).
var journals = []struct {
	name  string
	place func(t *testing.T) string
	open  func(t *testing.T, where string) cc112.Journal
}{
	{"bolt", func(t *testing.T) string { return t.TempDir() }, func(t *testing.T, dir string) cc112.Journal {
		j, err := bolt.Open(dir, quiet)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}},
	{"postgres", func(t *testing.T) string { return pgtest.URL(t) }, func(t *testing.T, url string) cc112.Journal {
		db, err := postgres.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		j, err := postgres.NewJournal(context.Background(), db, postgres.JournalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}},
}

var tugu = geo.Point{Lat: -7.2458, Lon: 112.7378}

// TestRecorder runs the recorder against camsim on both journals: an
// incident's two nearest cameras and a camera marked "always record" are
// recorded (a camera 3 km away is not), the incident's evidence lock is
// journaled, the recording exports frame for frame as listed, closing the
// incident stops its cameras but keeps their lock, and a supervisor's
// release lets them go. The marks and locks survive a restart.
func TestRecorder(t *testing.T) {
	sim := camsim.ForTest(t, 4, false)
	for _, jk := range journals {
		t.Run(jk.name, func(t *testing.T) {
			ctx := context.Background()
			where := jk.place(t)
			j := jk.open(t, where)
			recs := cctv.NewRecordings()
			eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Logger: quiet}, recs)
			if err != nil {
				t.Fatal(err)
			}
			at := func(dLat float64) geo.Point { return geo.Point{Lat: tugu.Lat + dLat, Lon: tugu.Lon} }
			cams := []cc112.Camera{
				{ID: "near1", Name: "near 1", Location: at(0.0005), RTSPURL: sim.URL(1)},
				{ID: "near2", Name: "near 2", Location: at(-0.0005), RTSPURL: sim.URL(2)},
				{ID: "always", Name: "always", Location: at(0.05), RTSPURL: sim.URL(3)}, // 5.5 km
				{ID: "far", Name: "far", Location: at(0.027), RTSPURL: sim.URL(4)},      // 3 km
				{ID: "novideo", Name: "no video", Location: tugu},
			}
			if err := eng.RegisterCameras(ctx, cams); err != nil {
				t.Fatal(err)
			}
			if err := recs.SetAlways(ctx, "always", true, "supervisor", "", ""); err != nil {
				t.Fatal(err)
			}
			if err := recs.SetAlways(ctx, "nope", true, "supervisor", "", ""); cc112.ErrorCode(err) != cc112.ENotFound {
				t.Errorf("always record an unknown camera: %v", err)
			}
			relay, store, keepBy := recordingRig(t, eng)
			rec := cctv.NewRecorder(cctv.RecorderConfig{Store: store, Relay: relay, Engine: eng, Recordings: recs, Logger: quiet})
			keepBy(rec)
			inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: "fire", Location: &tugu}, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := rec.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			if got := rec.Recording(); !slices.Equal(got, []string{"always", "near1", "near2"}) {
				t.Fatalf("recording %v, want always, near1, near2", got)
			}
			locks := recs.Locks()
			if len(locks) != 1 || !slices.Equal(locks[0].Cameras, []string{"near1", "near2"}) || !locks[0].From.Equal(inc.ReceivedAt.Add(-10*time.Minute)) {
				t.Fatalf("locks %+v", locks)
			}
			// Wait for two seconds of video of near1.
			deadline := time.Now().Add(20 * time.Second)
			for frames(store.List("near1", time.Time{}, time.Time{})) < 50 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			segs := store.List("near1", time.Time{}, time.Time{})
			n := frames(segs)
			if n < 50 {
				t.Fatalf("near1 recorded %d frames in 20 s", n)
			}
			first, last := segs[0].Start, segs[len(segs)-1].End
			out := filepath.Join(t.TempDir(), "near1.mp4")
			f, err := os.Create(out)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := store.Export("near1", first, last, f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			ts := camsim.FrameTimes(t, out)
			if !ex.First.Equal(first) || !ex.Last.Equal(last) || len(ts) != ex.Frames || ts[0] != 0 ||
				math.Abs(ts[len(ts)-1]-last.Sub(first).Seconds()) > 1.0/90000 {
				t.Errorf("export %v → %v (%d frames), listed %v → %v; ffprobe %d frames, last at %v s",
					ex.First, ex.Last, ex.Frames, first, last, len(ts), ts[len(ts)-1])
			}
			if !rec.Keep("near1", first, last) || rec.Keep("always", first, last) {
				t.Errorf("near1 must be kept (locked), always not")
			}
			// Closing stops the incident's cameras; the lock stays.
			if _, err := eng.CloseIncident(ctx, inc.ID, "handled", "", ""); err != nil {
				t.Fatal(err)
			}
			if err := rec.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			if got := rec.Recording(); !slices.Equal(got, []string{"always"}) {
				t.Errorf("after close recording %v, want always", got)
			}
			if !rec.Keep("near1", first, last) || rec.Keep("near1", time.Now().Add(time.Hour), time.Now().Add(2*time.Hour)) {
				t.Errorf("the lock of a closed incident ends at its close")
			}
			if _, err := recs.Release(ctx, inc.ID, "supervisor", "", "", ""); cc112.ErrorCode(err) != cc112.EInvalid {
				t.Errorf("release without a reason: %v", err)
			}
			if _, err := recs.Release(ctx, inc.ID, "supervisor", "case closed, no request from the police", "", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := recs.Release(ctx, inc.ID, "supervisor", "again", "", ""); cc112.ErrorCode(err) != cc112.EConflict {
				t.Errorf("release twice: %v", err)
			}
			if err := rec.Reconcile(ctx); err != nil {
				t.Fatal(err)
			}
			if rec.Keep("near1", first, last) {
				t.Errorf("released evidence is still kept")
			}
			rec.Stop()
			j.Close()

			// A restart rebuilds the marks and locks from the journal.
			j = jk.open(t, where)
			defer j.Close()
			recs = cctv.NewRecordings()
			if _, err := dispatch.New(ctx, dispatch.Config{Journal: j, Logger: quiet}, recs); err != nil {
				t.Fatal(err)
			}
			if got := recs.Always(); !slices.Equal(got, []string{"always"}) {
				t.Errorf("after a restart always record %v", got)
			}
			if l := recs.Locks(); len(l) != 1 || l[0].ReleasedAt == nil || l[0].ReleasedBy != "supervisor" {
				t.Errorf("after a restart locks %+v", l)
			}
		})
	}
}

// recordingRig is a relay of eng's cameras and a store of 100 MB in
// segments of a second, which keeps what the recorder given to keepBy
// keeps (the recorder needs the store first).
func recordingRig(t *testing.T, eng *dispatch.Engine) (relay *cctv.Relay, store *record.Store, keepBy func(*cctv.Recorder)) {
	t.Helper()
	relay = cctv.NewRelay(cctv.RelayConfig{Resolve: func(id string) (cctv.Sources, error) {
		c, err := eng.Camera(id)
		return cctv.Sources{Main: c.RTSPURL}, err
	}, Transport: rtspsrc.TCP, CloseAfter: 100 * time.Millisecond, Logger: quiet})
	t.Cleanup(relay.Close)
	var rec *cctv.Recorder
	keep := func(c string, from, to time.Time) bool { return rec != nil && rec.Keep(c, from, to) }
	store, err := record.Open(record.Config{Dir: t.TempDir(), Budget: 100 << 20, SegmentDuration: time.Second, Keep: keep, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return relay, store, func(r *cctv.Recorder) { rec = r }
}

func frames(segs []record.Segment) int {
	n := 0
	for _, s := range segs {
		n += s.Frames
	}
	return n
}

// TestRecorderRecordsWatchedCameras: with Watched, a camera someone
// watches live is recorded while watched (the recorder's own viewer does
// not keep it "watched"), so that an incident opened nearby afterwards
// locks what it saw before the call; a camera nobody watched has nothing
// from before. Without Watched, watching records nothing.
func TestRecorderRecordsWatchedCameras(t *testing.T) {
	sim := camsim.ForTest(t, 2, false)
	ctx := context.Background()
	j, err := bolt.Open(t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	recs := cctv.NewRecordings()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Logger: quiet}, recs)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterCameras(ctx, []cc112.Camera{
		{ID: "watched", Name: "watched", Location: geo.Point{Lat: tugu.Lat + 0.0005, Lon: tugu.Lon}, RTSPURL: sim.URL(1)},
		{ID: "unwatched", Name: "unwatched", Location: geo.Point{Lat: tugu.Lat - 0.0005, Lon: tugu.Lon}, RTSPURL: sim.URL(2)},
	}); err != nil {
		t.Fatal(err)
	}
	relay, store, keepBy := recordingRig(t, eng)
	v, err := relay.Watch("watched")
	if err != nil {
		t.Fatal(err)
	}
	off := cctv.NewRecorder(cctv.RecorderConfig{Store: store, Relay: relay, Engine: eng, Recordings: recs, Logger: quiet})
	if err := off.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := off.Recording(); len(got) != 0 {
		t.Errorf("without Watched recording %v, want nothing", got)
	}
	off.Stop()

	rec := cctv.NewRecorder(cctv.RecorderConfig{Store: store, Relay: relay, Engine: eng, Recordings: recs, Watched: true, Logger: quiet})
	keepBy(rec)
	defer rec.Stop()
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.Recording(); !slices.Equal(got, []string{"watched"}) {
		t.Fatalf("while watched recording %v, want watched", got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for frames(store.List("watched", time.Time{}, time.Time{})) < 50 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	v.Close()
	if got := relay.Watched(); len(got) != 0 {
		t.Errorf("with only the recorder's viewer left, watched %v", got)
	}
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.Recording(); len(got) != 0 {
		t.Errorf("once nobody watches recording %v, want nothing", got)
	}
	before := store.List("watched", time.Time{}, time.Time{})
	if frames(before) < 50 {
		t.Fatalf("watched recorded %d frames in 20 s", frames(before))
	}
	first, last := before[0].Start, before[len(before)-1].End

	// The incident opens after the watching ended: its lock reaches back
	// over it, and keeps it.
	inc, err := eng.CreateIncident(ctx, dispatch.NewIncident{Category: "crime", Location: &tugu}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	locks := recs.Locks()
	if len(locks) != 1 || !slices.Contains(locks[0].Cameras, "watched") || locks[0].From.After(first) {
		t.Fatalf("locks %+v, want watched from before %v", locks, first)
	}
	if !rec.Keep("watched", first, last) {
		t.Error("what was watched before the call is not kept by the incident's lock")
	}
	if got := store.List("watched", locks[0].From, inc.ReceivedAt); frames(got) < 50 {
		t.Errorf("watched has %d frames from the lock's start to the call, want the watched ones", frames(got))
	}
	if got := store.List("unwatched", locks[0].From, inc.ReceivedAt.Add(-time.Second)); len(got) != 0 {
		t.Errorf("unwatched has recordings from before the call: %+v", got)
	}
}
