package dispatch

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"cc112"
)

// Past roster shifts leave the engine's memory as closed incidents do
// (archive.go): a shift that ended longer than Config.HistoryWindow ago is
// archived, a journaled fact (roster.archived, the shifts) that the
// journal stores in its shift archive in the same transaction (a
// cc112.ShiftArchive: the journal given as Config.Archive). Reads of a
// time before a unit's oldest shift in memory go to the archive, outside
// the engine's lock, and answer as before.
//
// Archived shifts are never changed again and never come back: a roster
// change keeps every shift begun before it (applyRoster), and an archived
// shift ended a history window before the change. Each unit keeps its
// last shift in memory whatever its age, so that a unit on a schedule
// stays on it (scheduled: it has shifts) and so that a unit's oldest
// shift in memory says where its archive ends.

// shiftBatch bounds the shifts one sweep command archives (see
// archiveBatch): the first sweep of ten years of a city's rosters
// archives about a million.
const shiftBatch = 2000

func (e *Engine) shiftArchive() cc112.ShiftArchive {
	a, _ := e.cfg.Archive.(cc112.ShiftArchive)
	return a
}

// ArchiveShifts archives the shifts that ended before now minus the
// history window, shiftBatch per command until none is left, and answers
// how many. Without a shift archive or a window it does nothing.
func (e *Engine) ArchiveShifts(ctx context.Context) (int, error) {
	if e.shiftArchive() == nil || e.cfg.HistoryWindow <= 0 {
		return 0, nil
	}
	return e.sweep(ctx, func(tx *Tx) (int, bool) {
		due := e.pastShifts(tx.Now().Add(-e.cfg.HistoryWindow))
		if len(due) == 0 {
			return 0, true
		}
		tx.Emit(cc112.EvRosterArchived, cc112.RosterArchivedPayload{Shifts: due})
		seq := e.seq
		e.shiftsArchiving[seq] = due // readable until the journal holds them
		tx.whenDurable(func() { delete(e.shiftsArchiving, seq) })
		return len(due), len(due) < shiftBatch
	})
}

// pastShifts lists up to shiftBatch shifts that ended before cutoff, each
// unit's oldest first and never its last, units by id (so that a replay
// meets them in one order). Caller holds the lock.
func (e *Engine) pastShifts(cutoff time.Time) []cc112.Shift {
	ids := make([]string, 0, len(e.rosters))
	for id := range e.rosters {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var due []cc112.Shift
	for _, id := range ids {
		list := e.rosters[id]
		for k := 0; k < len(list)-1 && list[k].To.Before(cutoff) && len(due) < shiftBatch; k++ {
			s := list[k]
			s.UnitID, s.Crew = id, slices.Clone(s.Crew)
			due = append(due, s)
		}
	}
	return due
}

func (e *Engine) applyRosterArchived(p cc112.RosterArchivedPayload) error {
	left := map[string][]cc112.Shift{}
	for _, s := range p.Shifts {
		list, ok := left[s.UnitID]
		if !ok {
			list = e.rosters[s.UnitID]
		}
		if len(list) < 2 || !list[0].From.Equal(s.From) {
			return fmt.Errorf("archived shift of %s from %s is not the oldest of its unit's shifts in memory but the last", s.UnitID, s.From)
		}
		left[s.UnitID] = list[1:]
	}
	for id, list := range left {
		e.rosters[id] = slices.Clone(list) // not a tail of the old array: that would keep it
	}
	return nil
}

// inflightShifts are the archived shifts the journal does not hold yet
// that pass keep, read with the memory they left. Caller holds the lock.
func (e *Engine) inflightShifts(keep func(cc112.Shift) bool) []cc112.Shift {
	var out []cc112.Shift
	for _, batch := range e.shiftsArchiving {
		for _, s := range batch {
			if keep(s) {
				s.Crew = slices.Clone(s.Crew)
				out = append(out, s)
			}
		}
	}
	return out
}

// archiveHolds reports whether the shift archive may hold a shift of a
// unit whose shifts in memory are list that ends after t: only shifts
// before the oldest in memory are archived. Caller holds the lock.
func archiveHolds(list []cc112.Shift, t time.Time) bool {
	return len(list) > 0 && t.Before(list[0].From)
}

// RosterPage is a page of a unit's shifts that end after from, earliest
// first (a schedule reads forward); the cursor is the start of the last
// shift given. Shifts never overlap, so a start orders them. A page that
// reaches back past the unit's shifts in memory reads the shift archive
// first, outside the engine's lock.
func (e *Engine) RosterPage(ctx context.Context, unitID string, from time.Time, req cc112.PageRequest) (cc112.Page[cc112.Shift], error) {
	page := cc112.Page[cc112.Shift]{Items: []cc112.Shift{}}
	if err := req.Check(); err != nil {
		return page, err
	}
	if err := cc112.CheckInstant("from", from); err != nil {
		return page, err
	}
	after, err := cc112.ParseCursor(req.Cursor)
	if err != nil {
		return page, err
	}
	if after != nil && after.ID != unitID {
		return page, cc112.ErrBadCursor()
	}
	fits := func(s cc112.Shift) bool {
		return s.UnitID == unitID && s.To.After(from) && (after == nil || s.From.After(after.At))
	}
	e.mu.RLock()
	if _, ok := e.units[unitID]; !ok {
		e.mu.RUnlock()
		return page, cc112.Errorf(cc112.ENotFound, "unit %q not found", unitID)
	}
	list := e.rosters[unitID]
	var found []cc112.Shift
	k := sort.Search(len(list), func(i int) bool { return list[i].To.After(from) })
	if after != nil {
		k = max(k, sort.Search(len(list), func(i int) bool { return list[i].From.After(after.At) }))
	}
	for ; k < len(list) && len(found) <= req.Limit; k++ {
		s := list[k]
		s.Crew = slices.Clone(s.Crew)
		found = append(found, s)
	}
	found = append(found, e.inflightShifts(fits)...)
	past := archiveHolds(list, from) && (after == nil || archiveHolds(list, after.At))
	e.mu.RUnlock()
	if a := e.shiftArchive(); past && a != nil {
		var afterAt *time.Time
		if after != nil {
			afterAt = &after.At
		}
		old, err := a.ArchivedShifts(ctx, unitID, from, afterAt, req.Limit+1)
		if err != nil {
			return page, cc112.Errorf(cc112.EUnavailable, "shift archive: %v", err)
		}
		found = append(found, old...)
	}
	found = byStart(found)
	page.Items = append(page.Items, found[:min(len(found), req.Limit)]...)
	if len(found) > req.Limit {
		page.NextCursor = cc112.PageKey{At: page.Items[len(page.Items)-1].From, ID: unitID}.Cursor()
	}
	return page, nil
}

// byStart sorts one unit's shifts by start and drops a shift met twice
// (in the sweep running and already in the archive).
func byStart(list []cc112.Shift) []cc112.Shift {
	sort.Slice(list, func(a, b int) bool { return list[a].From.Before(list[b].From) })
	return slices.CompactFunc(list, func(a, b cc112.Shift) bool { return a.From.Equal(b.From) })
}

// OnDuty is one unit's crew at a time: GET /api/v1/roster?at=.
type OnDuty struct {
	UnitID   string         `json:"unit_id"`
	Callsign string         `json:"callsign"`
	Type     cc112.UnitType `json:"type"`
	Crew     []string       `json:"crew"`
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
}

// RosterAt answers who was (or will be) on which unit at t, by callsign:
// the shifts as the journal recorded them at the time they were in force.
// The units whose shifts in memory all begin after t are looked up in
// the shift archive, outside the engine's lock.
func (e *Engine) RosterAt(ctx context.Context, t time.Time) ([]OnDuty, error) {
	if err := cc112.CheckInstant("at", t); err != nil {
		return nil, err
	}
	out := []OnDuty{}
	onDuty := func(s cc112.Shift) OnDuty {
		d := OnDuty{UnitID: s.UnitID, Callsign: e.callsignOf(s.UnitID), Crew: slices.Clone(s.Crew), From: s.From, To: s.To}
		if u := e.units[s.UnitID]; u != nil {
			d.Type = u.Type
		}
		return d
	}
	var past []string
	e.mu.RLock()
	for id, list := range e.rosters {
		if archiveHolds(list, t) {
			past = append(past, id)
		}
		if s, ok := shiftAt(list, t); ok {
			s.UnitID = id
			out = append(out, onDuty(s))
		}
	}
	for _, s := range e.inflightShifts(func(s cc112.Shift) bool { return s.Covers(t) }) {
		out = append(out, onDuty(s))
	}
	e.mu.RUnlock()
	if a := e.shiftArchive(); len(past) > 0 && a != nil {
		slices.Sort(past)
		old, err := a.ArchivedShiftsAt(ctx, past, t)
		if err != nil {
			return nil, cc112.Errorf(cc112.EUnavailable, "shift archive: %v", err)
		}
		e.mu.RLock()
		for _, s := range old {
			out = append(out, onDuty(s))
		}
		e.mu.RUnlock()
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Callsign != out[b].Callsign {
			return out[a].Callsign < out[b].Callsign
		}
		return out[a].UnitID < out[b].UnitID
	})
	// A shift of the sweep running may be in the archive already.
	return slices.CompactFunc(out, func(a, b OnDuty) bool { return a.UnitID == b.UnitID }), nil
}
