package cc112

import (
	"errors"
	"sync"
	"time"
)

// ErrJournalClosed is returned for appends after Close.
var ErrJournalClosed = errors.New("journal closed")

// ErrUnstorable marks an append error that belongs to the events of one
// command: the journal cannot hold them (PostgreSQL refuses a NUL in jsonb,
// a time outside what the file format keeps, a projection that cannot take
// a value). Only that command fails; the journal keeps taking writes. Any
// other append error means the journal itself failed.
var ErrUnstorable = errors.New("the journal cannot store this change")

// GroupCommitter turns a slow "write and sync this batch" function into a
// Journal-style Append: events queued while one batch is being synced are
// written together by the next one, so N concurrent commands cost about one
// fsync instead of N. Journal adapters embed it.
type GroupCommitter struct {
	flush    func([]Event) error
	maxBatch int

	mu      sync.Mutex
	cond    *sync.Cond
	pending []Event
	waiters []waiter
	closed  bool
	done    chan struct{}
}

// waiter is one Append: its channel and how many events it queued.
type waiter struct {
	ch chan error
	n  int
}

// NewGroupCommitter starts the commit loop. flush must write the batch
// durably, all or nothing, and wrap ErrUnstorable when it refuses the batch
// for the content of its events; maxBatch bounds the events per flush (0
// means 4096).
func NewGroupCommitter(flush func([]Event) error, maxBatch int) *GroupCommitter {
	if maxBatch <= 0 {
		maxBatch = 4096
	}
	g := &GroupCommitter{flush: flush, maxBatch: maxBatch, done: make(chan struct{})}
	g.cond = sync.NewCond(&g.mu)
	go g.loop()
	return g
}

// Append queues events; see Journal.Append.
func (g *GroupCommitter) Append(events []Event) <-chan error {
	ch := make(chan error, 1)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		ch <- ErrJournalClosed
		return ch
	}
	g.pending = append(g.pending, events...)
	g.waiters = append(g.waiters, waiter{ch: ch, n: len(events)})
	g.cond.Signal()
	g.mu.Unlock()
	return ch
}

func (g *GroupCommitter) loop() {
	defer close(g.done)
	var failed error
	for {
		g.mu.Lock()
		for len(g.waiters) == 0 && !g.closed {
			g.cond.Wait()
		}
		if len(g.waiters) == 0 && g.closed {
			g.mu.Unlock()
			return
		}
		batch, waiters := g.pending, g.waiters
		g.pending, g.waiters = nil, nil
		g.mu.Unlock()

		// Once the journal failed, later events cannot be written after the
		// gap: fail them all, the engine stops taking commands.
		if failed != nil {
			for _, w := range waiters {
				w.ch <- failed
			}
			continue
		}
		var errs []error
		errs, failed = g.commit(batch, waiters)
		for i, w := range waiters {
			w.ch <- errs[i]
		}
	}
}

// commit writes one queue of commands in flushes of at most maxBatch events
// and returns each command's outcome. When a flush is refused for the
// content of its events, its commands are written one by one, so that only
// the command that cannot be stored fails. failed is set when the journal
// itself failed.
func (g *GroupCommitter) commit(batch []Event, waiters []waiter) (errs []error, failed error) {
	errs = make([]error, len(waiters))
	for first := 0; first < len(waiters); {
		// Take whole commands up to maxBatch events (at least one command).
		last, n := first, 0
		for last < len(waiters) && (last == first || n+waiters[last].n <= g.maxBatch) {
			n += waiters[last].n
			last++
		}
		events := batch[:n]
		batch = batch[n:]
		err := g.flushLimited(events)
		if err != nil && errors.Is(err, ErrUnstorable) {
			err = g.oneByOne(events, waiters[first:last], errs[first:last])
		}
		if err != nil {
			for i := first; i < len(waiters); i++ {
				errs[i] = err
			}
			return errs, err
		}
		first = last
	}
	return errs, nil
}

// flushLimited flushes events in chunks of maxBatch (one command may have
// more events than that).
func (g *GroupCommitter) flushLimited(events []Event) error {
	for len(events) > 0 {
		n := min(len(events), g.maxBatch)
		if err := g.flush(events[:n]); err != nil {
			return err
		}
		events = events[n:]
	}
	return nil
}

// oneByOne writes each command of a refused flush alone. A command that
// still cannot be stored gets ErrUnstorable and its seqs are taken by
// EvJournalRefused events, so the commands after it continue the journal.
// It returns an error only when the journal itself failed.
func (g *GroupCommitter) oneByOne(events []Event, waiters []waiter, errs []error) error {
	for i, w := range waiters {
		own := events[:w.n]
		events = events[w.n:]
		err := g.flushLimited(own)
		if err == nil || !errors.Is(err, ErrUnstorable) {
			if err != nil {
				return err
			}
			continue
		}
		errs[i] = err
		refused := make([]Event, len(own))
		for k, ev := range own {
			// No data and the zero time: every journal can store it.
			refused[k] = Event{Seq: ev.Seq, Type: EvJournalRefused, At: time.Time{}, Data: []byte(`{}`)}
		}
		if err := g.flushLimited(refused); err != nil {
			return err
		}
	}
	return nil
}

// Close waits for queued events to be flushed and stops the loop.
func (g *GroupCommitter) Close() {
	g.mu.Lock()
	g.closed = true
	g.cond.Signal()
	g.mu.Unlock()
	<-g.done
}
