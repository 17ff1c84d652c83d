package dispatch

import (
	"context"
	"fmt"
	"sort"
	"time"

	"cc112"
	"cc112/internal/shrink"
)

// Closed history leaves the engine's memory (issue 21): an incident closed
// longer than Config.HistoryWindow is archived, a journaled fact
// (incident.archived, the whole incident) that the journal stores in its
// archive in the same transaction; applying it drops the incident from
// memory and every index. Reads of it go to Config.Archive; a reopen
// brings it back first (incident.restored), so that a replay does the
// same. The metrics index (Config.OnArchived) forgets an archived
// incident once the archive holds its record.

// archiveBatch bounds the incidents one sweep command archives: a command
// holds the write lock, and the first sweep of a long history archives
// years of it.
const archiveBatch = 500

// ArchiveClosed archives the incidents closed before now minus the history
// window, archiveBatch per command until none is left, and answers how
// many. Without an archive or a window it does nothing.
//
// The incidents due are listed once, under the read lock; each command
// checks only its own batch again under the write lock. Listing them in
// every command made a long first sweep quadratic (every batch walked and
// sorted the whole history while dispatchers' commands waited).
func (e *Engine) ArchiveClosed(ctx context.Context) (int, error) {
	if e.cfg.Archive == nil || e.cfg.HistoryWindow <= 0 {
		return 0, nil
	}
	e.mu.RLock()
	due := e.archivable(e.cfg.Clock.Now().Add(-e.cfg.HistoryWindow))
	e.mu.RUnlock()
	if len(due) == 0 {
		return 0, nil
	}
	return e.sweep(ctx, func(tx *Tx) (int, bool) {
		batch := due[:min(len(due), archiveBatch)]
		due = due[len(batch):]
		var ids []string
		for _, inc := range e.stillArchivable(batch, tx.Now().Add(-e.cfg.HistoryWindow)) {
			e.archiving[inc.ID] = inc.Clone() // readable until the journal holds it
			tx.Emit(cc112.EvIncidentArchived, cc112.IncidentDocumentPayload{Incident: inc})
			ids = append(ids, inc.ID)
		}
		tx.whenDurable(func() { e.archivedDurably(ids) })
		return len(ids), len(due) == 0
	})
}

// sweep runs an archive sweep's commands, one batch each, until a batch
// says it was the last or a command fails, and answers how many items
// they archived. A batch keeps what it archives readable in memory until
// the journal holds it (tx.whenDurable), so that a caller who stops
// waiting leaves no batch half done.
func (e *Engine) sweep(ctx context.Context, batch func(tx *Tx) (n int, last bool)) (int, error) {
	total := 0
	for {
		last := true // also when the command is refused before its batch
		n, err := Run(ctx, e, "", "", func(tx *Tx) (int, error) {
			n, l := batch(tx)
			last = l
			return n, nil
		})
		total += n
		if err != nil || last {
			return total, err
		}
	}
}

// archivable lists the IDs of the incidents that were closed before
// cutoff, oldest received first (so a replay meets them in one order).
// Caller holds the lock.
func (e *Engine) archivable(cutoff time.Time) []string {
	var due []*cc112.Incident
	for _, inc := range e.incidents {
		if closedBefore(inc, cutoff) {
			due = append(due, inc)
		}
	}
	sort.Slice(due, func(a, b int) bool { return timeLess(due[a], due[b]) })
	ids := make([]string, len(due))
	for k, inc := range due {
		ids[k] = inc.ID
	}
	return ids
}

// stillArchivable is the incidents of ids that may be archived now: still
// held, closed before cutoff (a reopen since the listing keeps one), and
// named by no unit. Caller holds the write lock.
func (e *Engine) stillArchivable(ids []string, cutoff time.Time) []*cc112.Incident {
	named := map[string]bool{}
	for _, u := range e.units {
		named[u.IncidentID] = true
	}
	var out []*cc112.Incident
	for _, id := range ids {
		if inc, ok := e.incidents[id]; ok && closedBefore(inc, cutoff) && !named[id] {
			out = append(out, inc)
		}
	}
	return out
}

func closedBefore(inc *cc112.Incident, cutoff time.Time) bool {
	return !inc.Active() && inc.ClosedAt != nil && inc.ClosedAt.Before(cutoff)
}

func (e *Engine) applyArchived(p cc112.IncidentDocumentPayload) error {
	if p.Incident == nil {
		return fmt.Errorf("archived incident without its document")
	}
	inc, ok := e.incidents[p.Incident.ID]
	if !ok {
		return fmt.Errorf("unknown incident %q", p.Incident.ID)
	}
	if inc.Active() {
		return fmt.Errorf("incident %s is open: only closed incidents are archived", inc.Number)
	}
	shrink.Delete(&e.incidents, &e.incidentsPeak, inc.ID)
	e.index.remove(inc.ID)
	e.forgetImported(inc)
	if e.mode != writer { // a replay or a standby: the archive holds it already
		e.onArchived(inc.ID)
	}
	return nil // not news
}

// archivedDurably tells OnArchived of the incidents a sweep's command
// archived, once the journal holds them (the archive answers for them only
// then), but for one a command restored meanwhile, and stops holding their
// documents. Caller holds mu.
func (e *Engine) archivedDurably(ids []string) {
	for _, id := range ids {
		if _, back := e.incidents[id]; !back {
			e.onArchived(id)
		}
		delete(e.archiving, id)
	}
}

func (e *Engine) onArchived(id string) {
	if e.cfg.OnArchived != nil {
		e.cfg.OnArchived(id)
	}
}

func (e *Engine) applyRestored(p cc112.IncidentDocumentPayload) error {
	inc := p.Incident
	if inc == nil || inc.ID == "" {
		return fmt.Errorf("restored incident without its document")
	}
	if _, dup := e.incidents[inc.ID]; dup {
		return fmt.Errorf("incident %q is in memory", inc.ID)
	}
	if inc.Assignments == nil {
		inc.Assignments = []*cc112.Assignment{}
	}
	e.incidents[inc.ID] = inc
	e.index.add(inc)
	e.rememberImported(inc)
	e.changedIncident("", inc) // the hook only: nothing changed for the wall
	return nil
}

// archived is id's document when the engine does not hold it: one being
// archived now, else the archive's. Nil, nil when unknown. Called without
// the engine's lock (the archive is read outside it).
func (e *Engine) archived(ctx context.Context, id string) (*cc112.Incident, error) {
	e.mu.RLock()
	inc, ok := e.archiving[id]
	e.mu.RUnlock()
	if ok {
		return inc.Clone(), nil
	}
	if e.cfg.Archive == nil {
		return nil, nil
	}
	inc, err := e.cfg.Archive.ArchivedIncident(ctx, id)
	if err != nil {
		return nil, cc112.Errorf(cc112.EUnavailable, "incident archive: %v", err)
	}
	return inc, nil
}

// fillArchived reads the incidents of a history page the engine does not
// hold (incs[k] nil) from the archive, in one read; one it finds nowhere
// (a standby behind its leader) stays nil.
func (e *Engine) fillArchived(ctx context.Context, keys []cc112.HistoryKey, incs []*cc112.Incident) error {
	var missing []string
	at := map[string]int{}
	e.mu.RLock()
	for k, key := range keys {
		if incs[k] != nil {
			continue
		}
		if inc, ok := e.archiving[key.ID]; ok {
			incs[k] = inc.Clone()
			continue
		}
		missing = append(missing, key.ID)
		at[key.ID] = k
	}
	e.mu.RUnlock()
	if len(missing) == 0 || e.cfg.Archive == nil {
		return nil
	}
	found, err := e.cfg.Archive.ArchivedIncidents(ctx, missing)
	if err != nil {
		return cc112.Errorf(cc112.EUnavailable, "incident archive: %v", err)
	}
	for _, inc := range found {
		if k, ok := at[inc.ID]; ok {
			incs[k] = inc
		}
	}
	return nil
}

// RunOn is Run for a command on incidents: the documents of those of ids
// the engine let go are read first, outside its lock, so that inside the
// command an archived incident is the closed incident it is
// (Tx.activeIncident refuses it as closed, not as unknown, and changes
// nothing) and a reopen brings it back (restore). An archive that cannot
// be read fails the command as unavailable.
func RunOn[T any](ctx context.Context, e *Engine, ids []string, key, fingerprint string, fn func(tx *Tx) (T, error)) (T, error) {
	var docs map[string]*cc112.Incident
	for _, id := range ids {
		e.mu.RLock()
		_, held := e.incidents[id]
		e.mu.RUnlock()
		if held || id == "" {
			continue
		}
		doc, err := e.archived(ctx, id)
		if err != nil {
			var zero T
			return zero, err
		}
		if doc != nil {
			if docs == nil {
				docs = map[string]*cc112.Incident{}
			}
			docs[id] = doc
		}
	}
	return Run(ctx, e, key, fingerprint, func(tx *Tx) (T, error) {
		tx.archived = docs
		return fn(tx)
	})
}

// incident is id inside a command: the engine's, else the archived
// document RunOn read (not to be changed: it is not in memory).
func (tx *Tx) incident(id string) (*cc112.Incident, bool) {
	if inc, ok := tx.e.incidents[id]; ok {
		return inc, true
	}
	doc, ok := tx.archived[id]
	return doc, ok
}

// restore brings an archived incident back into memory inside a command,
// before the command's own events; doc is what RunOn found before the
// command took the lock (nil: nothing to restore).
func (e *Engine) restore(tx *Tx, doc *cc112.Incident) {
	if doc == nil {
		return
	}
	if _, ok := e.incidents[doc.ID]; ok {
		return // restored meanwhile (another command)
	}
	tx.Emit(cc112.EvIncidentRestored, cc112.IncidentDocumentPayload{Incident: doc})
}

// IncidentCount is how many incidents the engine holds in memory (the
// open ones and those closed within the history window).
func (e *Engine) IncidentCount() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.incidents)
}

// IncidentsReceived lists every incident received in [from, to) (zero:
// open-ended), the engine's and the archive's, for the reports that read
// whole incidents (the ETA errors): what they read grows with the window
// asked for, never with the years kept.
func (e *Engine) IncidentsReceived(ctx context.Context, from, to time.Time) ([]*cc112.Incident, error) {
	in := func(inc *cc112.Incident) bool {
		return (from.IsZero() || !inc.ReceivedAt.Before(from)) && (to.IsZero() || inc.ReceivedAt.Before(to))
	}
	var out []*cc112.Incident
	seen := map[string]bool{}
	e.mu.RLock()
	for _, inc := range e.incidents {
		if in(inc) {
			out = append(out, inc.Clone())
			seen[inc.ID] = true
		}
	}
	e.mu.RUnlock()
	if e.cfg.Archive == nil {
		return out, nil
	}
	var before *cc112.HistoryKey
	if !to.IsZero() {
		before = &cc112.HistoryKey{ReceivedAt: to}
	}
	err := e.cfg.Archive.EachArchived(ctx, before, func(inc *cc112.Incident) bool {
		if !from.IsZero() && inc.ReceivedAt.Before(from) {
			return false
		}
		if !seen[inc.ID] { // archived while the engine's were read
			out = append(out, inc)
		}
		return true
	})
	if err != nil {
		return nil, cc112.Errorf(cc112.EUnavailable, "incident archive: %v", err)
	}
	return out, nil
}
