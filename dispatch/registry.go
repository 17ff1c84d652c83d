package dispatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"cc112"
)

// Extension adds event types, and the state they build, to the engine: the
// call center, camera views, accounts. Pass extensions to New.
type Extension interface {
	// Register declares the extension's event types with Handle and keeps
	// r.Engine() for its commands. New calls it before it replays the
	// journal; the engine takes commands once New has returned.
	Register(r *Registry)
}

// Registry is where the core and each extension declare their event types.
type Registry struct {
	e     *Engine
	owner string // who is registering, named in the error for a type claimed twice
	err   error
}

// Engine is the engine being built, for the extension's commands and reads
// (not before New has returned).
func (r *Registry) Engine() *Engine { return r.e }

// eventType is one registered event type: how its journaled JSON becomes
// the typed payload, and how that payload changes the state.
type eventType struct {
	owner  string
	decode func(raw json.RawMessage) (any, error)
	apply  func(f *Fold, v any) error
}

// Handle registers event type typ, whose payload is a T, with the function
// that applies it. A command emits the payload as a T (or *T) and apply
// gets it as is; only replay and a standby decode the journal's JSON into a
// T. apply runs under the engine's write lock: it changes the state only,
// reports what the live feed should hear with f.Changed, and errs only for
// an event that cannot apply (a journal this binary does not understand).
// Claiming a type that is registered already makes New fail.
func Handle[T any](r *Registry, typ string, apply func(f *Fold, p T) error) {
	if old, dup := r.e.types[typ]; dup {
		r.err = errors.Join(r.err, fmt.Errorf("dispatch: event type %q is claimed by %s and %s", typ, old.owner, r.owner))
		return
	}
	r.e.types[typ] = &eventType{
		owner: r.owner,
		decode: func(raw json.RawMessage) (any, error) {
			p := new(T)
			if err := json.Unmarshal(raw, p); err != nil {
				return nil, err
			}
			return p, nil
		},
		apply: func(f *Fold, v any) error {
			switch p := v.(type) {
			case *T:
				return apply(f, *p)
			case T:
				return apply(f, p)
			}
			return fmt.Errorf("payload is a %T, %s takes a %T", v, typ, *new(T))
		},
	}
}

// EventTypes lists the event types the engine applies (the core's and its
// extensions'), sorted.
func (e *Engine) EventTypes() []string {
	out := make([]string, 0, len(e.types))
	for t := range e.types {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Fold is the event being applied, as an apply function sees it.
type Fold struct {
	Seq uint64
	At  time.Time
	e   *Engine
}

// Changed tells the live feed that the resource it names name changed;
// current gives the resource as clients see it. current is called once the
// event is applied, and only when the change is published (never on replay).
func (f *Fold) Changed(name string, current func() any) {
	f.e.changes = append(f.e.changes, change{live: name, ext: current})
}

// change is one thing an event changed: the live-feed name it is published
// under ("" for none) and the resource. An incident also goes to the
// OnIncident hook.
type change struct {
	live string
	inc  *cc112.Incident
	unit *cc112.Unit
	cam  *cameraRecord
	ext  func() any
}

// apply folds one event into the state, then settles what it changed. v is
// the typed payload a command emitted; nil (an event from the journal)
// decodes ev.Data into the registered type. Errors mean an event this
// binary cannot apply.
func (e *Engine) apply(ev cc112.Event, v any) error {
	t, ok := e.types[ev.Type]
	if !ok {
		return fmt.Errorf("unknown event type %q (journal written by a newer dispatchd?)", ev.Type)
	}
	if v == nil {
		var err error
		if v, err = t.decode(ev.Data); err != nil {
			return fmt.Errorf("decode %s payload: %w", ev.Type, err)
		}
	}
	e.fold = Fold{Seq: ev.Seq, At: ev.At, e: e}
	err := t.apply(&e.fold, v)
	if err != nil {
		clear(e.changes)
		e.changes = e.changes[:0]
		return err
	}
	e.settle()
	return nil
}

// settle is the one place that hands changes on, after the fold: to the
// OnIncident hook (on replay too: the metrics index is built so) and to
// the live feed (never on replay). Caller holds mu.
func (e *Engine) settle() {
	publish := e.pub != nil && e.mode != replaying
	for _, c := range e.changes {
		if c.inc != nil && e.cfg.OnIncident != nil {
			e.cfg.OnIncident(c.inc)
		}
		if !publish || c.live == "" {
			continue
		}
		switch {
		case c.inc != nil:
			e.pub.Publish(c.live, c.inc.Clone())
		case c.unit != nil:
			e.pub.Publish(c.live, *c.unit)
		case c.cam != nil:
			e.pub.Publish(c.live, c.cam.Camera)
		case c.ext != nil:
			e.pub.Publish(c.live, c.ext())
		}
	}
	clear(e.changes)
	e.changes = e.changes[:0]
}

// changedIncident, changedUnit and changedCamera record the core's changes
// for settle.
func (e *Engine) changedIncident(live string, inc *cc112.Incident) {
	e.index.changed(inc)
	e.changes = append(e.changes, change{live: live, inc: inc})
}

func (e *Engine) changedUnit(live string, u *cc112.Unit) {
	e.changes = append(e.changes, change{live: live, unit: u})
}

func (e *Engine) changedCamera(c *cameraRecord) {
	e.changes = append(e.changes, change{live: cc112.LiveCameraUpdated, cam: c})
}
