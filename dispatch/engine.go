// Package dispatch is the engine: the single writer of the command center's
// state. A command is validated against the in-memory state, turned into
// events, applied, published to the live feed and appended to the journal;
// the caller is answered only once the journal says the events are durable.
// The package knows nothing of HTTP or SQL.
package dispatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/route"
)

// Publisher receives every state change in order, for the live feed. It is
// called with the engine's write lock held, so it must not block or call
// back into the engine; data is a private copy it may keep.
type Publisher interface {
	Publish(name string, data any)
}

// Locator names the kecamatan of a point ("" when outside the city).
type Locator interface {
	Locate(p geo.Point) string
}

// ServiceArea measures how far a point lies outside the city's districts
// (0 inside): geo.Districts.Beyond.
type ServiceArea interface {
	Beyond(p geo.Point) float64
}

// Config holds what an Engine needs. Journal is required.
type Config struct {
	Journal cc112.Journal
	Clock   cc112.Clock
	Logger  *slog.Logger
	// Districts names the district of incidents; nil leaves it empty.
	Districts Locator
	// Area is the service area: an incident farther than AreaMargin
	// (metres) beyond it is refused unless confirmed with a reason. Nil
	// checks nothing.
	Area       ServiceArea
	AreaMargin float64
	// ETA is the straight-line model: the ranking without a road network,
	// and the fallback for a point off the road (method "straight").
	ETA geo.ETAModel
	// Roads ranks units by drive time on the road network; nil: the
	// straight line only.
	Roads *route.Router
	// PositionStale is the age past which a unit's last fix is flagged on
	// its recommendation (it is still ranked from it). Default 5 min.
	PositionStale time.Duration
	Plan          cc112.ResponsePlan
	// Alarms are the extra needs of alarm levels 2 and 3 per category
	// (nil: no category has more than its plan).
	Alarms cc112.AlarmLevels
	// PositionSample is how often at most a unit's position is journaled
	// (DESIGN.md: positions are a stream, sampled). Default 15 s.
	PositionSample time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered. Default 24 h.
	IdempotencyTTL time.Duration
	// Location is the zone of incident numbers (WIB by default).
	Location *time.Location
	// ReplayProgress is how often the start-up replay logs its progress
	// (events replayed of the total, rate). Default 5 s; negative: never.
	ReplayProgress time.Duration
	// OnIncident, when set, is called with every incident after each event
	// that changed it (created, assigned, unit status, closed, imported),
	// under the write lock and on replay too: the metrics index keeps its
	// per-incident intervals current this way. It must be quick, must not
	// keep inc and must not call back into the engine.
	OnIncident func(inc *cc112.Incident)
	// OnIncidentState, when set, is the state OnIncident builds (dispatchd:
	// the metrics index). It is checkpointed with the engine's state, as the
	// part "metrics" of the same seq, so that a start from a checkpoint
	// restores it instead of handing OnIncident every incident again.
	// Without it such a start feeds OnIncident the incidents in memory.
	OnIncidentState IncidentState
	// OnArchived, when set, is called with the id of an incident the engine
	// archived (archive.go), under the write lock: on replay and on a
	// standby when the event is applied, on the writer once the journal
	// holds it. The metrics index forgets the incident's record then (the
	// archive keeps it); a restore hands it to OnIncident again.
	OnArchived func(id string)
	// History, when set, finds the history pages of SearchIncidents
	// (PostgreSQL's projection); nil searches the engine's own index.
	History cc112.HistorySearch
	// Checkpoints, when set, holds the engine's checkpoints: New starts
	// from the newest valid one and replays only the events after it
	// (checkpoint.go); nil replays the whole journal.
	Checkpoints cc112.CheckpointStore
	// Archive holds the incidents the engine let go (archive.go): closed
	// longer than HistoryWindow, they are read from it. Nil, or a window
	// that is not positive, keeps every incident in memory.
	Archive       cc112.IncidentArchive
	HistoryWindow time.Duration
}

// mode is what the engine is doing; enter holds the transitions.
type mode int

const (
	replaying mode = iota // New reads the journal: nothing is published
	writer                // takes commands
	standby               // follows another writer's journal: commands refused
	following             // a standby applying an event its leader made durable
	failed                // the journal failed: memory is ahead of disk
)

var modeNames = [...]string{"replaying", "writer", "standby", "following", "failed"}

func (m mode) String() string { return modeNames[m] }

// transitions lists the modes each mode may become.
var transitions = map[mode][]mode{
	replaying: {writer},
	writer:    {standby, failed},
	standby:   {following, writer, failed},
	following: {standby},
}

// enter moves the engine to mode to (staying is allowed: a leader promoted
// again). Caller holds mu (or is New). Any other transition is a bug.
func (e *Engine) enter(to mode) {
	if to != e.mode && !slices.Contains(transitions[e.mode], to) {
		panic(fmt.Sprintf("dispatch: the engine cannot go from %s to %s", e.mode, to))
	}
	e.mode = to
}

// refuse is why the engine takes no command now (nil: it does). Caller
// holds mu.
func (e *Engine) refuse() error {
	switch e.mode {
	case writer:
		return nil
	case failed:
		return cc112.Errorf(cc112.EUnavailable, "journal write failed: dispatchd must be restarted")
	}
	return errStandby()
}

// Engine owns the state. All methods are safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger

	mu      sync.RWMutex
	seq     uint64 // last seq handed to the journal
	mode    mode
	failure error // why the mode is failed
	follow  followSignal
	pub     Publisher
	posSink func(PositionFix)
	types   map[string]*eventType
	fold    Fold     // the event being applied
	changes []change // what it changed, for settle

	incidents map[string]*cc112.Incident
	index     incidentIndex // incidents in search order (search.go)
	sortMu    sync.Mutex    // one reader sorts index.byTime (sortedByTime)
	units     map[string]*cc112.Unit
	cameras   map[string]*cameraRecord
	unitIndex *geo.Index
	fleet     *route.Fleet // units snapped to the road (nil: no road network)
	camIndex  *geo.Index
	// searchMu serialises index searches made under the read lock: a
	// search reuses the index's scratch buffers (writers hold mu fully).
	searchMu  sync.Mutex
	numbers   *cc112.DayNumbers    // incident numbers per WIB day
	posLogged map[string]loggedFix // the journal's last position of each unit
	keys      map[string]*keyRecord
	keyOrder  []string
	imported  map[string]string        // external_id → id of imported incidents
	rosters   map[string][]cc112.Shift // unit id → its shifts by start (roster.go)
	// unscheduled are units whose roster was emptied: in service without
	// a schedule again (their past shifts stay for RosterAt).
	unscheduled map[string]bool
	// The city's configuration beside its units (city.go); cityKnown: a
	// city.changed has been applied.
	agencies  map[string]cc112.Agency
	stations  map[string]cc112.Station
	cityKnown bool
	// archiving holds the incidents a sweep archived until the journal
	// holds their documents (archive.go).
	archiving map[string]*cc112.Incident
	// shiftsArchiving holds the shifts of each roster.archived event (by
	// its seq) until the journal holds it (pastroster.go); importsArchived counts
	// the imported incidents archived, so that an import that read the
	// archive before one was knows to read it again (import.go).
	shiftsArchiving map[uint64][]cc112.Shift
	importsArchived uint64
	// The most incidents and imported held when one was archived: the
	// maps are rebuilt when much smaller (shrink.Delete).
	incidentsPeak, importedPeak int

	ckpt checkpointer // the state's owners and the checkpoints written
}

// New builds an engine with its extensions and replays the journal into it.
// Two of them claiming one event type (or a core one) is an error.
func New(ctx context.Context, cfg Config, exts ...Extension) (*Engine, error) {
	if cfg.Journal == nil {
		return nil, fmt.Errorf("dispatch: a journal is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = cc112.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ETA.Detour == 0 {
		cfg.ETA = geo.DefaultETAModel()
	}
	if cfg.Plan == nil {
		cfg.Plan = cc112.DefaultResponsePlan()
	}
	if cfg.PositionSample == 0 {
		cfg.PositionSample = 15 * time.Second
	}
	if cfg.IdempotencyTTL == 0 {
		cfg.IdempotencyTTL = 24 * time.Hour
	}
	if cfg.Location == nil {
		cfg.Location = cc112.WIB
	}
	if cfg.PositionStale == 0 {
		cfg.PositionStale = 5 * time.Minute
	}
	if cfg.ReplayProgress == 0 {
		cfg.ReplayProgress = 5 * time.Second
	}
	e := &Engine{
		cfg:         cfg,
		log:         cfg.Logger,
		types:       map[string]*eventType{},
		incidents:   map[string]*cc112.Incident{},
		units:       map[string]*cc112.Unit{},
		cameras:     map[string]*cameraRecord{},
		unitIndex:   geo.NewIndex(0),
		camIndex:    geo.NewIndex(0),
		numbers:     cc112.NewDayNumbers("SBY", cfg.Location),
		posLogged:   map[string]loggedFix{},
		keys:        map[string]*keyRecord{},
		imported:    map[string]string{},
		rosters:     map[string][]cc112.Shift{},
		unscheduled: map[string]bool{},
		agencies:    map[string]cc112.Agency{},
		stations:    map[string]cc112.Station{},
		archiving:   map[string]*cc112.Incident{},
	}
	e.shiftsArchiving = map[uint64][]cc112.Shift{}
	if cfg.Roads != nil {
		e.fleet = cfg.Roads.NewFleet()
	}
	r := &Registry{e: e, owner: "dispatch"}
	e.registerCore(r)
	e.ckpt.parts = []statePart{{name: r.owner, snap: coreState{e}}}
	for _, x := range exts {
		r.owner = fmt.Sprintf("%T", x)
		x.Register(r)
		e.addPart(r.owner, x)
	}
	if r.err != nil {
		return nil, r.err
	}
	if cfg.OnIncidentState != nil {
		e.ckpt.parts = append(e.ckpt.parts, statePart{name: metricsPart, snap: cfg.OnIncidentState})
	}
	e.ckpt.schema = e.checkpointSchema()
	start := time.Now()
	from := e.restoreCheckpoint(ctx)
	progress := newReplayProgress(e.log, cfg.Clock.Now, cfg.ReplayProgress, cfg.Journal.LastSeq())
	err := cfg.Journal.Replay(ctx, from, func(ev cc112.Event) error {
		if ev.Seq != e.seq+1 {
			return fmt.Errorf("journal seq %d follows %d: gap", ev.Seq, e.seq)
		}
		if err := e.apply(ev, nil); err != nil {
			return fmt.Errorf("replay event %d (%s): %w", ev.Seq, ev.Type, err)
		}
		e.seq = ev.Seq
		progress.step(e.seq)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dispatch: %w", err)
	}
	e.enter(writer)
	e.log.Info("journal replayed", "events", e.seq, "from_checkpoint", from, "incidents", len(e.incidents),
		"units", len(e.units), "cameras", len(e.cameras), "took", time.Since(start).Round(time.Millisecond))
	return e, nil
}

// SetPublisher attaches the live feed. Changes are published from then on.
func (e *Engine) SetPublisher(p Publisher) {
	e.mu.Lock()
	e.pub = p
	e.mu.Unlock()
}

// PositionFix is one accepted GPS fix, for a breadcrumb store.
type PositionFix struct {
	UnitID                   string
	At                       time.Time
	Location                 geo.Point
	Heading, Speed, Accuracy *float64
}

// SetPositionSink receives every accepted fix (not only the journaled
// samples), e.g. to store breadcrumbs. Like a Publisher it is called under
// the write lock, so it must only buffer.
func (e *Engine) SetPositionSink(sink func(PositionFix)) {
	e.mu.Lock()
	e.posSink = sink
	e.mu.Unlock()
}

// LastSeq is the seq of the last event handed to the journal.
func (e *Engine) LastSeq() uint64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.seq
}

// Clock returns the engine's clock.
func (e *Engine) Clock() cc112.Clock { return e.cfg.Clock }

// Ready reports whether the engine takes commands: the journal answers and
// no write has failed.
func (e *Engine) Ready(ctx context.Context) error {
	e.mu.RLock()
	failure := e.failure
	e.mu.RUnlock()
	if failure != nil {
		return cc112.Errorf(cc112.EUnavailable, "journal write failed earlier: restart dispatchd (%v)", failure)
	}
	if err := e.cfg.Journal.Ping(ctx); err != nil {
		return cc112.Errorf(cc112.EUnavailable, "journal not reachable: %v", err)
	}
	return nil
}

// Read runs fn under the read lock: extensions use it to read their state
// consistently with the engine's.
func (e *Engine) Read(fn func()) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	fn()
}

// Tx collects the events of one command. Emit applies each event at once, so
// later checks in the same command see it. Validate first, then emit: an
// emitted event cannot be taken back.
type Tx struct {
	e      *Engine
	now    time.Time
	events []cc112.Event
	// archived holds the documents RunOn read of the command's incidents
	// the engine had let go.
	archived map[string]*cc112.Incident
	durable  []func() // run under the write lock once the journal holds the events
}

// whenDurable runs fn under the engine's write lock once the journal holds
// the command's events, whether or not its caller still waits for them
// (a cancelled context stops the wait, not the write). A journal that
// fails them fails the engine: fn never runs.
func (tx *Tx) whenDurable(fn func()) { tx.durable = append(tx.durable, fn) }

// Now is the command's time, shared by all its events.
func (tx *Tx) Now() time.Time { return tx.now }

// Emit applies the event with its typed payload data and queues it for the
// journal, which gets data as JSON, encoded here once.
func (tx *Tx) Emit(typ string, data any) {
	raw, err := json.Marshal(data)
	if err == nil {
		err = cc112.CheckStorable(raw)
	}
	if err != nil {
		// Input checks let through what no journal can store (a NaN JSON
		// cannot encode, a NUL jsonb cannot hold): refuse the command
		// before the event changes anything (exec recovers).
		panic(unstorable{typ: typ, err: err})
	}
	ev := cc112.Event{Seq: tx.e.seq + 1, Type: typ, At: tx.now, Data: raw}
	typed := data
	if replacedText(raw) {
		typed = nil // apply what replay will: the JSON, not the bytes it replaced
	}
	if err := tx.e.apply(ev, typed); err != nil {
		panic(fmt.Sprintf("dispatch: apply validated %s: %v", typ, err)) // validation missed a rule: a bug
	}
	tx.e.seq = ev.Seq
	tx.events = append(tx.events, ev)
}

// replacedText reports whether encoding a payload changed its text: JSON
// writes bytes that are not UTF-8 as the escape \ufffd (a real U+FFFD is
// written as is), so that replay would decode another string than the one
// the command emitted.
func replacedText(raw []byte) bool {
	for i := 0; ; {
		k := bytes.Index(raw[i:], []byte(`\ufffd`))
		if k < 0 {
			return false
		}
		k += i
		n := 0 // backslashes before it: an odd count makes it text, not an escape
		for n < k && raw[k-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = k + 1
	}
}

// exec runs one command as the single writer and waits until its events
// are durable (Run is its typed form). It returns fn's result as is, or
// the stored JSON (a json.RawMessage) when the key was seen before. fn's
// result must be a copy the caller may keep, never live state.
func (e *Engine) exec(ctx context.Context, key, fingerprint string, fn func(tx *Tx) (any, error)) (any, error) {
	e.mu.Lock()
	if err := e.refuse(); err != nil {
		e.mu.Unlock()
		return nil, err
	}
	now := e.now()
	if rec := e.keyAt(key, now); rec != nil {
		e.mu.Unlock()
		raw, err := e.replay(ctx, rec, fingerprint)
		if err != nil {
			return nil, err
		}
		return raw, nil
	}
	tx := &Tx{e: e, now: now}
	result, err := runTx(tx, fn)
	if err == nil && key != "" {
		var raw json.RawMessage
		if raw, err = json.Marshal(result); err == nil {
			tx.Emit(cc112.EvCommandKey, keyPayload{Key: key, Fingerprint: fingerprint, Result: raw})
		}
	}
	if len(tx.events) == 0 {
		runAll(tx.durable) // nothing to wait for
		e.mu.Unlock()
		return result, err
	}
	done := e.cfg.Journal.Append(tx.events)
	var rec *keyRecord
	if key != "" {
		rec = e.keys[key]
	}
	e.mu.Unlock()

	settle := func(jerr error) {
		if errors.Is(jerr, cc112.ErrUnstorable) {
			// The journal refused this command's events only and goes on;
			// they were applied, so memory holds a change the journal does
			// not (until restart). Emit's CheckStorable makes this a bug.
			e.log.Error("journal refused a command's events; the journal goes on", "err", jerr)
			return
		}
		if jerr != nil {
			e.fail(jerr)
			return
		}
		if rec != nil {
			close(rec.durable)
		}
		if len(tx.durable) > 0 {
			e.mu.Lock()
			runAll(tx.durable)
			e.mu.Unlock()
		}
	}
	select {
	case jerr := <-done:
		settle(jerr)
		if errors.Is(jerr, cc112.ErrUnstorable) {
			return nil, cc112.Errorf(cc112.EInvalid, "the change cannot be stored: %v", jerr)
		}
		if jerr != nil {
			return nil, cc112.Errorf(cc112.EUnavailable, "could not store the change: %v", jerr)
		}
	case <-ctx.Done():
		// The events will still be written; a retry with the same key finds them.
		go func() { settle(<-done) }()
		return nil, ctx.Err()
	}
	return result, err
}

func runAll(fns []func()) {
	for _, fn := range fns {
		fn()
	}
}

// unstorable is Emit's panic for an event no journal can store.
type unstorable struct {
	typ string
	err error
}

// runTx runs fn and turns Emit's unstorable panic into the command's
// error. Events fn emitted before it were applied: they stay in the
// transaction and are journaled, so that memory and journal agree.
func runTx(tx *Tx, fn func(tx *Tx) (any, error)) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			u, ok := v.(unstorable)
			if !ok {
				panic(v)
			}
			tx.e.log.Warn("command refused: its event cannot be stored", "type", u.typ, "err", u.err, "applied_before", len(tx.events))
			result, err = nil, cc112.Errorf(cc112.EInvalid, "the change cannot be stored: it holds a value no journal keeps (a NUL character, a NaN)")
		}
	}()
	return fn(tx)
}

// Run runs one command as the single writer and waits until its events are
// durable. key (optional) is an idempotency key: a repeat with the same key
// and fingerprint returns the first answer, decoded from the journal,
// without running fn again. fn's answer must be a copy the caller may
// keep, never live state.
func Run[T any](ctx context.Context, e *Engine, key, fingerprint string, fn func(tx *Tx) (T, error)) (T, error) {
	var zero T
	v, err := e.exec(ctx, key, fingerprint, func(tx *Tx) (any, error) { return fn(tx) })
	if err != nil {
		return zero, err
	}
	if raw, ok := v.(json.RawMessage); ok {
		var out T
		if err := json.Unmarshal(raw, &out); err != nil {
			return zero, fmt.Errorf("decode stored result: %w", err)
		}
		return out, nil
	}
	out, _ := v.(T) // nil when T is an interface and fn answered nil
	return out, nil
}

func (e *Engine) fail(err error) {
	e.mu.Lock()
	if e.mode != failed {
		e.failure = err
		e.enter(failed)
		e.log.Error("journal write failed: refusing further commands until restart", "err", err)
	}
	e.mu.Unlock()
}

// appendAsync journals events without waiting: used for sampled positions,
// whose loss in a crash costs a breadcrumb, not a report. Caller holds mu.
func (e *Engine) appendAsync(events []cc112.Event) {
	done := e.cfg.Journal.Append(events)
	go func() {
		if err := <-done; errors.Is(err, cc112.ErrUnstorable) {
			e.log.Error("journal refused a position sample", "err", err)
		} else if err != nil {
			e.fail(err)
		}
	}()
}

// now is the time of a command, at microsecond precision: what PostgreSQL's
// timestamptz keeps, so that state replayed from any journal is identical
// to the state that was acknowledged.
func (e *Engine) now() time.Time {
	return e.cfg.Clock.Now().UTC().Truncate(time.Microsecond)
}
