package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"cc112"
)

// A hot standby runs an engine that follows the journal its leader writes:
// it applies events it did not produce (publishing them to its own live
// feed) and refuses commands until it is promoted. The single-instance path
// never enters this mode.

// errStandby answers commands sent to a standby engine.
func errStandby() error {
	return cc112.Errorf(cc112.EUnavailable, "this dispatchd is the standby: send commands to the leader")
}

// SetStandby puts the engine in standby mode before it serves: commands are
// refused until Promote.
func (e *Engine) SetStandby() {
	e.mu.Lock()
	e.enter(standby)
	e.mu.Unlock()
}

// Standby reports whether the engine follows another writer.
func (e *Engine) Standby() bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.mode == standby || e.mode == following
}

// CatchUp applies the journal's events after the engine's last seq, as a
// follower: they are published to the live feed like the leader's own. It
// returns how many events it applied.
func (e *Engine) CatchUp(ctx context.Context) (int, error) {
	n := 0
	err := e.cfg.Journal.Replay(ctx, e.LastSeq(), func(ev cc112.Event) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.mode != standby {
			return errPromoted
		}
		if ev.Seq <= e.seq {
			return nil // read twice across chunks: already applied
		}
		if ev.Seq != e.seq+1 {
			return fmt.Errorf("dispatch: follow: journal seq %d follows %d: gap", ev.Seq, e.seq)
		}
		e.enter(following)
		err := e.apply(ev, nil)
		e.enter(standby)
		if err != nil {
			// The leader applied it, so this binary cannot: an older dispatchd.
			return fmt.Errorf("dispatch: follow event %d (%s): %w", ev.Seq, ev.Type, err)
		}
		e.seq = ev.Seq
		n++
		return nil
	})
	if n > 0 {
		e.follow.applied()
	}
	if errors.Is(err, errPromoted) {
		err = nil
	}
	return n, err
}

var errPromoted = errors.New("promoted")

// followSafety is how often a standby that hears every commit reads the
// journal anyway: a net under the notifications, not the way it follows.
const followSafety = 5 * time.Second

// Follow applies new journal events until ctx ends or the engine is
// promoted: at once when the journal says another writer committed (a
// cc112.CommitWatcher), else every interval (also while the watcher's
// connection is down). Errors (the database briefly unreachable) are
// logged and retried; a gap or an event this binary cannot apply stops
// following.
func (e *Engine) Follow(ctx context.Context, interval time.Duration) error {
	commits := make(chan struct{}, 1)
	var listening atomic.Bool
	if w, ok := e.cfg.Journal.(cc112.CommitWatcher); ok {
		watchCtx, stop := context.WithCancel(ctx)
		defer stop()
		go w.WatchCommits(watchCtx, commits, func(on bool) {
			listening.Store(on)
			select { // pick the new poll interval now
			case commits <- struct{}{}:
			default:
			}
		})
	}
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		if !e.Standby() {
			return nil
		}
		if _, err := e.CatchUp(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			e.log.Warn("following the journal", "err", err)
		}
		poll := interval
		if listening.Load() {
			poll = followSafety
		}
		t.Reset(poll)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-commits:
		case <-e.follow.kicked():
		}
	}
}

// followSignal lets requests wait for the follower instead of its next
// tick: kick asks Follow to read the journal now; done is closed (and
// replaced) each time CatchUp applied events.
type followSignal struct {
	once sync.Once
	kick chan struct{}
	mu   sync.Mutex
	done chan struct{}
}

func (f *followSignal) init() {
	f.once.Do(func() { f.kick, f.done = make(chan struct{}, 1), make(chan struct{}) })
}

func (f *followSignal) kicked() <-chan struct{} {
	f.init()
	return f.kick
}

func (f *followSignal) applied() {
	f.init()
	f.mu.Lock()
	close(f.done)
	f.done = make(chan struct{})
	f.mu.Unlock()
}

// WaitApplied returns once a standby engine has applied the journal up to
// seq (at once on a leader, which has every durable event). A forwarded
// command waits for it so that the standby reads its client's own write;
// readiness waits for it to prove the standby follows. It gives up with
// EUnavailable when ctx ends.
func (e *Engine) WaitApplied(ctx context.Context, seq uint64) error {
	f := &e.follow
	f.init()
	for {
		f.mu.Lock()
		done := f.done
		f.mu.Unlock()
		if !e.Standby() || e.LastSeq() >= seq {
			return nil
		}
		select {
		case f.kick <- struct{}{}:
		default:
		}
		select {
		case <-done:
		case <-ctx.Done():
			return cc112.Errorf(cc112.EUnavailable, "this standby has applied the journal up to event %d, not yet %d", e.LastSeq(), seq)
		}
	}
}

// Promote makes a standby the writer: it applies every event the old
// leader made durable, then takes commands. The caller must hold the
// leader lease, so that nobody else appends meanwhile.
func (e *Engine) Promote(ctx context.Context) error {
	if _, err := e.CatchUp(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if last := e.cfg.Journal.LastSeq(); last != e.seq {
		return fmt.Errorf("dispatch: promote: journal at %d, engine at %d", last, e.seq)
	}
	e.enter(writer)
	e.follow.applied() // waiters see a leader now
	e.log.Info("promoted to leader", "seq", e.seq)
	return nil
}

// FollowPosition gives a standby a unit's live position as the leader
// published it (relayed through Redis): the journal only holds a sample
// every PositionSample, so without it the standby's API would show
// positions up to that much old. An older fix than the one held is
// ignored; a leader's engine ignores it altogether.
func (e *Engine) FollowPosition(u cc112.Unit) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur, ok := e.units[u.ID]
	if e.mode != standby || !ok || !u.PositionAt.After(cur.PositionAt) {
		return
	}
	e.moveUnit(cur, u.PositionAt, cc112.UnitMovedPayload{UnitID: u.ID, Location: u.Location,
		Heading: u.Heading, Speed: u.Speed, Accuracy: u.Accuracy})
}
