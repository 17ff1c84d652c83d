package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"cc112"
)

// Snapshotter is what an extension implements so that the engine can
// checkpoint it: its whole state, not a chosen part of it. An extension
// that does not implement it keeps the engine from checkpointing (every
// start replays the whole journal, and says so).
type Snapshotter interface {
	// Snapshot returns a copy of the extension's state whose JSON is
	// everything Restore needs. It is called under the engine's read lock
	// (commands wait meanwhile, so it only copies) and encoded after the
	// lock is released, so it must share nothing the apply functions
	// change in place. Its type is part of the checkpoint's schema: a
	// checkpoint of another shape is not restored.
	Snapshot() any
	// Restore decodes what Snapshot encoded into new state and returns the
	// function that installs it, changing nothing until then: the engine
	// installs every part or none.
	Restore(data json.RawMessage) (install func(), err error)
}

// IncidentState is the state Config.OnIncident builds, checkpointed with
// the engine's (the metrics index).
type IncidentState interface {
	Snapshotter
	// Retain drops what it holds of the incidents held says the engine
	// does not hold. A checkpoint may carry incidents the engine had
	// archived but not yet told OnArchived of (it does once the journal
	// holds them); restored, they would stay in memory for good.
	Retain(held func(id string) bool)
}

// statePart is one owner of state in a checkpoint: the core or an
// extension (named as the registry names it).
type statePart struct {
	name string
	snap Snapshotter // nil: the extension cannot be checkpointed
}

// coreSnapshot is the core's own state in a checkpoint. The spatial
// indexes, the search index and the road fleet are derived from it.
type coreSnapshot struct {
	// Incidents in the order they were created (the search index's).
	Incidents []*cc112.Incident    `json:"incidents"`
	Units     []*cc112.Unit        `json:"units"`
	Cameras   []*cameraRecord      `json:"cameras"`
	Numbers   map[string]int       `json:"numbers"`
	PosLogged map[string]loggedFix `json:"pos_logged"`
	Keys      []*keyRecord         `json:"keys"`
	KeyOrder  []string             `json:"key_order"`
	Imported  map[string]string    `json:"imported"`
	// The city's configuration as city.changed left it (city.go, roster.go).
	Rosters     map[string][]cc112.Shift `json:"rosters"`
	Unscheduled map[string]bool          `json:"unscheduled"`
	Agencies    map[string]cc112.Agency  `json:"agencies"`
	Stations    map[string]cc112.Station `json:"stations"`
	CityKnown   bool                     `json:"city_known"`
	Plan        cc112.ResponsePlan       `json:"plan"`
	Alarms      cc112.AlarmLevels        `json:"alarms"`
}

// coreState is the engine itself as a Snapshotter; caller holds mu.
type coreState struct{ e *Engine }

// Snapshot copies the core's state. Incidents are cloned (an apply
// changes them in place); a unit's and a camera's pointer fields are
// replaced by their applies, never written through, so a copy of the
// struct is enough.
func (c coreState) Snapshot() any {
	e := c.e
	s := &coreSnapshot{
		Incidents:   make([]*cc112.Incident, 0, len(e.index.docs)),
		Units:       make([]*cc112.Unit, 0, len(e.units)),
		Cameras:     make([]*cameraRecord, 0, len(e.cameras)),
		Numbers:     e.numbers.Counts(),
		PosLogged:   maps.Clone(e.posLogged),
		Keys:        make([]*keyRecord, 0, len(e.keys)),
		KeyOrder:    slices.Clone(e.keyOrder),
		Imported:    maps.Clone(e.imported),
		Rosters:     make(map[string][]cc112.Shift, len(e.rosters)),
		Unscheduled: maps.Clone(e.unscheduled),
		Agencies:    maps.Clone(e.agencies),
		Stations:    maps.Clone(e.stations),
		CityKnown:   e.cityKnown,
		Plan:        e.cfg.Plan,   // replaced whole by city.changed, never changed in place
		Alarms:      e.cfg.Alarms, // the same
	}
	for id, shifts := range e.rosters {
		s.Rosters[id] = slices.Clone(shifts)
	}
	for _, d := range e.index.docs {
		if d.inc != nil { // not an archived incident's hole
			s.Incidents = append(s.Incidents, d.inc.Clone())
		}
	}
	for _, u := range e.units {
		s.Units = append(s.Units, e.asJournaled(u))
	}
	sort.Slice(s.Units, func(a, b int) bool { return s.Units[a].ID < s.Units[b].ID })
	for _, cam := range e.cameras {
		c := *cam
		s.Cameras = append(s.Cameras, &c)
	}
	sort.Slice(s.Cameras, func(a, b int) bool { return s.Cameras[a].ID < s.Cameras[b].ID })
	for _, k := range e.keys {
		c := *k
		s.Keys = append(s.Keys, &c)
	}
	sort.Slice(s.Keys, func(a, b int) bool { return s.Keys[a].Key < s.Keys[b].Key })
	return s
}

func (c coreState) Restore(data json.RawMessage) (func(), error) {
	var s coreSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	e := c.e
	return func() {
		e.incidents = make(map[string]*cc112.Incident, len(s.Incidents))
		e.index = incidentIndex{}
		for _, inc := range s.Incidents {
			if inc.Assignments == nil {
				inc.Assignments = []*cc112.Assignment{}
			}
			e.incidents[inc.ID] = inc
			e.index.add(inc)
		}
		e.units = make(map[string]*cc112.Unit, len(s.Units))
		for _, u := range s.Units {
			e.units[u.ID] = u
			e.placeUnit(u)
		}
		e.cameras = make(map[string]*cameraRecord, len(s.Cameras))
		for _, cam := range s.Cameras {
			cam.Camera.RTSPURL, cam.Camera.SubRTSPURL = "", "" // the record keeps them
			e.cameras[cam.ID] = cam
			e.camIndex.Set(cam.ID, cam.Location)
		}
		e.numbers.SetCounts(s.Numbers)
		e.posLogged = orEmpty(s.PosLogged)
		e.keys = make(map[string]*keyRecord, len(s.Keys))
		for _, k := range s.Keys {
			k.durable = closedChan
			e.keys[k.Key] = k
		}
		e.keyOrder = s.KeyOrder
		e.imported = orEmpty(s.Imported)
		e.rosters = orEmpty(s.Rosters)
		e.unscheduled = orEmpty(s.Unscheduled)
		e.agencies = orEmpty(s.Agencies)
		e.stations = orEmpty(s.Stations)
		e.cityKnown = s.CityKnown
		e.cfg.Plan, e.cfg.Alarms = s.Plan, s.Alarms
		if e.cfg.OnIncident != nil && e.cfg.OnIncidentState == nil { // else its own part restores it
			for _, inc := range s.Incidents {
				e.cfg.OnIncident(inc)
			}
		}
	}, nil
}

func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}

// checkpointData is a checkpoint's encoding: the schema it was written
// with, the seq it covers and each part's state.
type checkpointData struct {
	Schema string `json:"schema"`
	// Base fingerprints the configuration events build on (the response
	// plan and alarm levels dispatchd was started with): a checkpoint
	// taken under another one would not equal a full replay under this.
	Base  string                     `json:"base"`
	Seq   uint64                     `json:"seq"`
	Parts map[string]json.RawMessage `json:"parts"`
}

// CheckpointPolicy says when the engine writes a checkpoint: after Every
// events or Interval (by the engine's clock), whichever comes first, once
// at least one event is new.
type CheckpointPolicy struct {
	Every    uint64
	Interval time.Duration
	// Tick is how often the policy is looked at (default 1 s, or Interval
	// when shorter).
	Tick time.Duration
}

// CheckpointStats is what the checkpoints did since the start, for
// /metrics.
type CheckpointStats struct {
	Written     uint64        // checkpoints saved
	Failed      uint64        // saves that failed
	Corrupt     uint64        // stored checkpoints found unreadable at start
	FullReplays uint64        // starts that replayed the whole journal for want of one
	LoadedSeq   uint64        // the seq the start's checkpoint covered (0: none)
	LastSeq     uint64        // the seq of the newest checkpoint written
	LastPause   time.Duration // how long the newest held the write lock out
	LastBytes   int
}

// checkpointer is the engine's checkpoint bookkeeping.
type checkpointer struct {
	parts  []statePart
	schema string
	base   string
	run    sync.Mutex // one checkpoint at a time

	mu    sync.Mutex
	stats CheckpointStats
}

// metricsPart names Config.OnIncidentState in a checkpoint.
const metricsPart = "metrics"

// addPart records the state owner of an extension New was given.
func (e *Engine) addPart(name string, x Extension) {
	s, _ := x.(Snapshotter)
	e.ckpt.parts = append(e.ckpt.parts, statePart{name: name, snap: s})
}

// unsnapshotted names the extensions the engine cannot checkpoint.
func (e *Engine) unsnapshotted() []string {
	var out []string
	for _, p := range e.ckpt.parts {
		if p.snap == nil {
			out = append(out, p.name)
		}
	}
	return out
}

// checkpointSchema fingerprints the shape of every part's snapshot, so
// that a checkpoint written by a binary with other state is not restored
// into this one (it replays the journal instead).
func (e *Engine) checkpointSchema() string {
	base, _ := json.Marshal([]any{e.cfg.Plan, e.cfg.Alarms})
	sum := sha256.Sum256(base)
	e.ckpt.base = hex.EncodeToString(sum[:12])
	h := sha256.New()
	for _, p := range e.ckpt.parts {
		if p.snap == nil {
			continue
		}
		fmt.Fprintf(h, "%s=%s;", p.name, typeShape(reflect.TypeOf(p.snap.Snapshot()), map[reflect.Type]bool{}))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// typeShape writes a type's structure as JSON encodes it: fields with
// their tags, element types; time.Time and raw JSON as leaves.
func typeShape(t reflect.Type, seen map[reflect.Type]bool) string {
	if t == nil {
		return "nil"
	}
	switch t {
	case reflect.TypeOf(time.Time{}):
		return "time"
	case reflect.TypeOf(json.RawMessage(nil)):
		return "raw"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + typeShape(t.Elem(), seen)
	case reflect.Slice, reflect.Array:
		return "[]" + typeShape(t.Elem(), seen)
	case reflect.Map:
		return "map[" + typeShape(t.Key(), seen) + "]" + typeShape(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return t.String()
		}
		seen[t] = true
		var b strings.Builder
		b.WriteString(t.String() + "{")
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fmt.Fprintf(&b, "%s %s `%s`;", f.Name, typeShape(f.Type, seen), f.Tag.Get("json"))
		}
		b.WriteString("}")
		return b.String()
	}
	return t.Kind().String()
}

// restoreCheckpoint loads the newest valid checkpoint into the engine
// and returns the seq it covers, or 0: replay the whole journal. Every
// reason to replay it all is logged. Called by New before the replay.
func (e *Engine) restoreCheckpoint(ctx context.Context) uint64 {
	store := e.cfg.Checkpoints
	if store == nil {
		return 0
	}
	full := func(msg string, args ...any) uint64 {
		e.ckpt.mu.Lock()
		e.ckpt.stats.FullReplays++
		e.ckpt.mu.Unlock()
		e.log.Warn("full replay: "+msg, args...)
		return 0
	}
	if missing := e.unsnapshotted(); len(missing) > 0 {
		return full("extensions without a snapshot, no checkpoint can hold their state", "extensions", missing)
	}
	list, err := store.Checkpoints(ctx)
	if err != nil {
		return full("the checkpoints cannot be read", "err", err)
	}
	if len(list) == 0 {
		if e.cfg.Journal.LastSeq() == 0 {
			return 0 // a new journal: nothing to replay
		}
		return full("no checkpoint stored")
	}
	last := e.cfg.Journal.LastSeq()
	for _, c := range list {
		var why string
		switch {
		case c.Seq > last:
			why = fmt.Sprintf("it covers seq %d, the journal ends at %d", c.Seq, last)
		case !c.Valid():
			why = "its checksum does not match"
		default:
			install, err := e.decodeCheckpoint(c)
			if err == nil {
				install()
				e.ckpt.mu.Lock()
				e.ckpt.stats.LoadedSeq = c.Seq
				e.ckpt.mu.Unlock()
				e.log.Info("checkpoint loaded", "seq", c.Seq, "taken", c.At.UTC().Format(time.RFC3339), "bytes", len(c.Data))
				return c.Seq
			}
			why = err.Error()
		}
		e.ckpt.mu.Lock()
		e.ckpt.stats.Corrupt++
		e.ckpt.mu.Unlock()
		e.log.Error("checkpoint not usable", "seq", c.Seq, "why", why)
	}
	return full("no usable checkpoint", "stored", len(list))
}

// decodeCheckpoint decodes every part of c and returns what installs them
// all (with the seq), or the first reason it cannot.
func (e *Engine) decodeCheckpoint(c cc112.Checkpoint) (func(), error) {
	var d checkpointData
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if d.Schema != e.ckpt.schema {
		return nil, fmt.Errorf("written with state schema %s, this binary's is %s", d.Schema, e.ckpt.schema)
	}
	if d.Base != e.ckpt.base {
		return nil, fmt.Errorf("taken with another configured response plan")
	}
	if d.Seq != c.Seq {
		return nil, fmt.Errorf("holds seq %d, stored as %d", d.Seq, c.Seq)
	}
	if len(d.Parts) != len(e.ckpt.parts) {
		return nil, fmt.Errorf("holds %d parts, the engine has %d", len(d.Parts), len(e.ckpt.parts))
	}
	installs := make([]func(), 0, len(e.ckpt.parts))
	for _, p := range e.ckpt.parts {
		raw, ok := d.Parts[p.name]
		if !ok {
			return nil, fmt.Errorf("no state of %s", p.name)
		}
		install, err := p.snap.Restore(raw)
		if err != nil {
			return nil, fmt.Errorf("restore %s: %w", p.name, err)
		}
		installs = append(installs, install)
	}
	return func() {
		for _, install := range installs {
			install()
		}
		e.seq = d.Seq
		if s := e.cfg.OnIncidentState; s != nil {
			s.Retain(func(id string) bool { _, ok := e.incidents[id]; return ok })
		}
	}, nil
}

// encodeCheckpoint copies the state at the last applied event under the
// read lock (the pause of the write path), encodes the copy after it and
// returns it with its seq.
func (e *Engine) encodeCheckpoint() (data []byte, seq uint64, pause time.Duration, err error) {
	e.mu.RLock()
	start := time.Now()
	if e.mode != writer {
		e.mu.RUnlock()
		return nil, 0, 0, errStandby()
	}
	d := checkpointData{Schema: e.ckpt.schema, Base: e.ckpt.base, Seq: e.seq, Parts: make(map[string]json.RawMessage, len(e.ckpt.parts))}
	copies := make([]any, len(e.ckpt.parts))
	for i, p := range e.ckpt.parts {
		copies[i] = p.snap.Snapshot()
	}
	pause = time.Since(start)
	e.mu.RUnlock()
	for i, p := range e.ckpt.parts {
		raw, err := json.Marshal(copies[i])
		if err != nil {
			return nil, 0, pause, fmt.Errorf("encode %s: %w", p.name, err)
		}
		d.Parts[p.name] = raw
	}
	data, err = json.Marshal(d)
	return data, d.Seq, pause, err
}

// Checkpoint writes a checkpoint of the state now, once the events it
// covers are durable, and returns its seq. It needs a checkpoint store,
// every extension a Snapshotter, and the engine to be the writer.
func (e *Engine) Checkpoint(ctx context.Context) (uint64, error) {
	store := e.cfg.Checkpoints
	if store == nil {
		return 0, fmt.Errorf("dispatch: no checkpoint store")
	}
	if missing := e.unsnapshotted(); len(missing) > 0 {
		return 0, fmt.Errorf("dispatch: cannot checkpoint, extensions without a snapshot: %s", strings.Join(missing, ", "))
	}
	e.ckpt.run.Lock()
	defer e.ckpt.run.Unlock()
	if st := e.CheckpointStats(); e.LastSeq() == max(st.LastSeq, st.LoadedSeq) {
		return e.LastSeq(), nil // the newest checkpoint covers the state already
	}
	data, seq, pause, err := e.encodeCheckpoint()
	if err == nil {
		err = e.awaitDurable(ctx, seq)
	}
	if err == nil {
		c := cc112.Checkpoint{Seq: seq, At: time.Now().UTC(), Sum: sha256.Sum256(data), Data: data}
		err = store.SaveCheckpoint(ctx, c)
	}
	e.ckpt.mu.Lock()
	defer e.ckpt.mu.Unlock()
	if err != nil {
		e.ckpt.stats.Failed++
		return 0, fmt.Errorf("dispatch: checkpoint: %w", err)
	}
	e.ckpt.stats.Written++
	e.ckpt.stats.LastSeq, e.ckpt.stats.LastPause, e.ckpt.stats.LastBytes = seq, pause, len(data)
	return seq, nil
}

// awaitDurable waits until the journal holds seq: a checkpoint must never
// cover an event a crash could still take back.
func (e *Engine) awaitDurable(ctx context.Context, seq uint64) error {
	for wait := time.Millisecond; e.cfg.Journal.LastSeq() < seq; wait = min(2*wait, 100*time.Millisecond) {
		e.mu.RLock()
		failure := e.failure
		e.mu.RUnlock()
		if failure != nil {
			return failure
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return nil
}

// CheckpointStats reports what the checkpoints did.
func (e *Engine) CheckpointStats() CheckpointStats {
	e.ckpt.mu.Lock()
	defer e.ckpt.mu.Unlock()
	return e.ckpt.stats
}

// RunCheckpoints writes checkpoints by the policy until ctx ends, off the
// write path (in this goroutine; commands wait only while the state is
// encoded). A standby writes none: its leader does. Without a store or
// with an extension that has no snapshot it logs why and returns.
func (e *Engine) RunCheckpoints(ctx context.Context, p CheckpointPolicy) {
	if e.cfg.Checkpoints == nil {
		return
	}
	if missing := e.unsnapshotted(); len(missing) > 0 {
		e.log.Error("checkpoints off: extensions without a snapshot; every start replays the whole journal", "extensions", missing)
		return
	}
	if p.Tick <= 0 {
		p.Tick = time.Second
		if p.Interval > 0 {
			p.Tick = min(p.Tick, p.Interval)
		}
	}
	lastSeq := e.CheckpointStats().LoadedSeq
	lastAt := e.cfg.Clock.Now()
	Every(ctx, p.Tick, func() {
		seq, now := e.LastSeq(), e.cfg.Clock.Now()
		if seq <= lastSeq || !e.Writer() {
			return
		}
		if (p.Every == 0 || seq-lastSeq < p.Every) && (p.Interval <= 0 || now.Sub(lastAt) < p.Interval) {
			return
		}
		took := time.Now()
		got, err := e.Checkpoint(ctx)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Error("checkpoint failed; the previous one stays", "err", err)
			}
			return
		}
		st := e.CheckpointStats()
		e.log.Info("checkpoint written", "seq", got, "bytes", st.LastBytes, "pause", st.LastPause, "took", time.Since(took).Round(time.Millisecond))
		lastSeq, lastAt = got, now
	})
}

// StateParts names the owners of the engine's state in a checkpoint: the
// core first, then the extensions as registered.
func (e *Engine) StateParts() []string {
	out := make([]string, 0, len(e.ckpt.parts))
	for _, p := range e.ckpt.parts {
		out = append(out, p.name)
	}
	return slices.Clip(out)
}

// Writer reports whether the engine takes commands (not a standby, not
// failed).
func (e *Engine) Writer() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.mode == writer
}
