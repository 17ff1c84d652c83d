package dispatch

import (
	"bytes"
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
)

// Limits of GET /api/v1/incidents.
const (
	DefaultPageSize = cc112.DefaultPageSize
	MaxPageSize     = cc112.MaxPageSize
	maxQueryText    = 200
)

// incidentIndex keeps incidents in the orders the search pages through, so
// that a page does not copy or sort every incident (a city imports years of
// history): byTime is every incident by (received_at, id) ascending, sorted
// lazily after out-of-order inserts (an import of old history); active is
// the open incidents, which are few. The searchable text of each incident
// is kept lower-cased in one arena, so that a text search over a million
// incidents reads contiguous bytes and touches only the incidents it hits
// (measured: 250 ms a page reading the incidents themselves).
type incidentIndex struct {
	byTime []entry
	dirty  bool // byTime needs a sort
	active map[string]entry
	docs   []doc
	arena  []byte
	// docOf finds an incident's doc; an archived incident's doc is
	// emptied (inc nil) and counted in holes until compact drops them.
	docOf map[string]int32
	holes int
}

// entry is an incident and its text in the arena.
type entry struct {
	inc *cc112.Incident
	doc int32
}

// doc is one incident's text: arena[off:mid] is what every viewer may see
// (number, address, description, notes), arena[mid:priv] the caller's
// phone, arena[priv:end] the internal notes. Whoever may read internal
// notes sees the phone too, so the parts are in the order of who sees them.
type doc struct {
	inc                 *cc112.Incident
	off, mid, priv, end int
}

// add indexes a new incident; the caller holds the write lock.
func (x *incidentIndex) add(inc *cc112.Incident) {
	en := entry{inc: inc, doc: int32(len(x.docs))}
	x.docs = append(x.docs, doc{inc: inc})
	if x.docOf == nil {
		x.docOf = map[string]int32{}
	}
	x.docOf[inc.ID] = en.doc
	x.setText(en.doc)
	if n := len(x.byTime); n > 0 && timeLess(inc, x.byTime[n-1].inc) {
		x.dirty = true
	}
	x.byTime = append(x.byTime, en)
	x.changed(inc)
}

// setText writes a doc's text at the end of the arena when it changed (an
// edit leaves the old bytes unused).
func (x *incidentIndex) setText(d int32) {
	public, phone, private := cc112.SearchText(x.docs[d].inc)
	dc := &x.docs[d]
	if dc.end > 0 && string(x.arena[dc.off:dc.mid]) == public+"\x00" && string(x.arena[dc.mid:dc.priv]) == phone &&
		string(x.arena[dc.priv:dc.end]) == private {
		return
	}
	dc.off = len(x.arena)
	x.arena = append(append(x.arena, public...), 0)
	dc.mid = len(x.arena)
	x.arena = append(x.arena, phone...)
	dc.priv = len(x.arena)
	x.arena = append(x.arena, private...)
	dc.end = len(x.arena)
}

// changed keeps the active set and the text current; the caller holds the
// write lock. Only open incidents change (a closed one is reopened first),
// so their docs are found in the active set; a reopened one is looked for
// from the newest.
func (x *incidentIndex) changed(inc *cc112.Incident) {
	if x.active == nil {
		x.active = map[string]entry{}
	}
	en, ok := x.active[inc.ID]
	if !ok {
		d, indexed := x.docOf[inc.ID]
		if !indexed {
			return // not indexed (cannot happen: add comes first)
		}
		en.inc, en.doc = inc, d
	}
	x.setText(en.doc)
	if inc.Active() {
		x.active[inc.ID] = en
	} else {
		delete(x.active, inc.ID)
	}
}

// textHit says where a doc first holds the lower-cased query: in what
// everyone may see, in the caller's phone or in the internal notes (the
// viewer must be allowed to see them), or nowhere. One scan of all: the
// query holds no NUL, so a match does not span a separator, and the
// first one found tells which part (a viewer who sees a later part sees
// the earlier ones).
func (x *incidentIndex) textHit(d int32, q needle) (public, phone, internal bool) {
	dc := &x.docs[d]
	k := q.index(x.arena[dc.off:dc.end])
	if k < 0 {
		return false, false, false
	}
	at := dc.off + k
	return at < dc.mid, at >= dc.mid && at < dc.priv, at >= dc.priv
}

// needle is a query prepared for many short searches: it is looked for
// from one of its rarer bytes (bytes.Index starts at the first byte, and
// the first of "0812…" is in every number and phone).
type needle struct {
	q      []byte
	anchor int
}

func newNeedle(q string) needle {
	n := needle{q: []byte(q), anchor: len(q) - 1}
	for k := len(q) - 1; k >= 0; k-- {
		if !strings.ContainsRune("0 aeinr.-", rune(q[k])) {
			n.anchor = k
			break
		}
	}
	return n
}

func (n needle) index(s []byte) int {
	c, tail := n.q[n.anchor], len(n.q)-1-n.anchor
	for i := n.anchor; i < len(s)-tail; {
		k := bytes.IndexByte(s[i:len(s)-tail], c)
		if k < 0 {
			return -1
		}
		if p := i + k - n.anchor; bytes.Equal(s[p:p+len(n.q)], n.q) {
			return p
		}
		i += k + 1
	}
	return -1
}

// remove takes an archived incident out of the index: its doc is emptied
// and skipped until compact rebuilds the index, once holes outnumber the
// incidents left, so that archiving years at once stays linear.
func (x *incidentIndex) remove(id string) {
	d, ok := x.docOf[id]
	if !ok {
		return
	}
	delete(x.docOf, id)
	delete(x.active, id)
	x.docs[d] = doc{}
	x.holes++
	if x.holes > len(x.docOf) {
		x.compact()
	}
}

// compact rebuilds the index from the incidents it still holds.
func (x *incidentIndex) compact() {
	old := x.docs
	*x = incidentIndex{dirty: true}
	for _, d := range old {
		if d.inc != nil {
			x.add(d.inc)
		}
	}
}

// gone reports whether an entry's incident was archived (a hole).
func (x *incidentIndex) gone(en entry) bool { return x.docs[en.doc].inc == nil }

func timeLess(a, b *cc112.Incident) bool {
	if !a.ReceivedAt.Equal(b.ReceivedAt) {
		return a.ReceivedAt.Before(b.ReceivedAt)
	}
	return a.ID < b.ID
}

// sortedByTime returns byTime in order. Callers hold the read lock; sortMu
// makes one of them sort while the others wait.
func (e *Engine) sortedByTime() []entry {
	e.sortMu.Lock()
	defer e.sortMu.Unlock()
	if e.index.dirty {
		slices.SortFunc(e.index.byTime, func(a, b entry) int {
			if timeLess(a.inc, b.inc) {
				return -1
			}
			if timeLess(b.inc, a.inc) {
				return 1
			}
			return 0
		})
		e.index.dirty = false
	}
	return e.index.byTime
}

// IncidentQuery is a search of GET /api/v1/incidents. Zero fields do not
// filter.
type IncidentQuery struct {
	// Status: "active" (default, the queue: priority first, then newest),
	// "closed", "all" (newest first), or one incident status (new,
	// dispatched, enroute, onscene: in the queue's order; closed as
	// "closed").
	Status   string
	Category cc112.Category
	Agency   string // an agency of a unit assigned to the incident
	District string // kecamatan, case-insensitive
	Priority int
	From, To time.Time // received_at in [From, To)
	// Text is searched in the number, address, description, notes and
	// the caller's phone where the viewer may see them (internal notes and
	// phones: only viewers who see them).
	Text   string
	Limit  int
	Cursor string
}

// IncidentPage is one page of a search; NextCursor is "" on the last one.
type IncidentPage = cc112.Page[*cc112.Incident]

func (q *IncidentQuery) queue() bool {
	switch q.Status {
	case "", "active", string(cc112.IncidentNew), string(cc112.IncidentDispatched),
		string(cc112.IncidentEnroute), string(cc112.IncidentOnscene):
		return true
	}
	return false
}

// validate checks the query, naming the parameter at fault.
func (q *IncidentQuery) validate(plan cc112.ResponsePlan) error {
	switch q.Status {
	case "", "active", "closed", "all", string(cc112.IncidentNew), string(cc112.IncidentDispatched),
		string(cc112.IncidentEnroute), string(cc112.IncidentOnscene):
	default:
		return cc112.Errorf(cc112.EInvalid, "status must be active, closed, all, new, dispatched, enroute or onscene, got %q", q.Status)
	}
	if q.Category != "" {
		if _, ok := plan[q.Category]; !ok {
			return cc112.Errorf(cc112.EInvalid, "category: unknown category %q", q.Category)
		}
	}
	if q.Priority != 0 && (q.Priority < cc112.MinPriority || q.Priority > cc112.MaxPriority) {
		return cc112.Errorf(cc112.EInvalid, "priority must be %d to %d, got %d", cc112.MinPriority, cc112.MaxPriority, q.Priority)
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"from", q.From}, {"to", q.To}} {
		if err := cc112.CheckInstant(f.name, f.t); err != nil && !f.t.IsZero() {
			return err
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return cc112.Errorf(cc112.EInvalid, "to must be after from")
	}
	for _, f := range []struct{ name, v string }{{"q", q.Text}, {"agency", q.Agency}, {"district", q.District}} {
		if err := cc112.CheckText(f.name, f.v, maxQueryText); err != nil {
			return err
		}
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		return cc112.Errorf(cc112.EInvalid, "limit must be 1 to %d, got %d", MaxPageSize, q.Limit)
	}
	q.Text = strings.ToLower(strings.TrimSpace(q.Text))
	return nil
}

// cursor is the position after the last item of a page: the sort key of
// that item. Opaque to clients (base64 of "q|priority|nanos|id" in the
// queue's order, "t|nanos|id" newest first).
type cursor struct {
	queue    bool
	priority int
	nanos    int64
	id       string
}

func (c cursor) String() string {
	s := "t|" + strconv.FormatInt(c.nanos, 10) + "|" + c.id
	if c.queue {
		s = "q|" + strconv.Itoa(c.priority) + "|" + strconv.FormatInt(c.nanos, 10) + "|" + c.id
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseCursor(s string, queue bool) (cursor, error) {
	bad := cc112.Errorf(cc112.EInvalid, "cursor is not one this list gave (pass next_cursor back unchanged, with the same status)")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	parts := strings.Split(string(raw), "|")
	c := cursor{queue: queue}
	if queue {
		if len(parts) != 4 || parts[0] != "q" {
			return cursor{}, bad
		}
		if c.priority, err = strconv.Atoi(parts[1]); err != nil {
			return cursor{}, bad
		}
		parts = parts[1:]
	} else if len(parts) != 3 || parts[0] != "t" {
		return cursor{}, bad
	}
	if c.nanos, err = strconv.ParseInt(parts[1], 10, 64); err != nil || parts[2] == "" {
		return cursor{}, bad
	}
	c.id = parts[2]
	return c, nil
}

func cursorOf(inc *cc112.Incident, queue bool) cursor {
	return cursor{queue: queue, priority: inc.Priority, nanos: inc.ReceivedAt.UnixNano(), id: inc.ID}
}

// before reports whether inc comes before the cursor in its order (so is
// on an earlier page).
func (c cursor) before(inc *cc112.Incident) bool {
	if c.queue && inc.Priority != c.priority {
		return inc.Priority < c.priority
	}
	if n := inc.ReceivedAt.UnixNano(); n != c.nanos {
		return n > c.nanos // newer first
	}
	return inc.ID <= c.id
}

// SearchIncidents answers one page of incidents as v sees them: filters,
// text search over what v may see, cursor paging. The queue (active
// statuses) is ordered priority first, then newest; closed and all newest
// first.
//
// With a HistorySearch configured (PostgreSQL), history pages (closed,
// all) are found there and answered with the engine's incidents; the
// queue is always the engine's own.
func (e *Engine) SearchIncidents(ctx context.Context, q IncidentQuery, v cc112.Viewer) (*IncidentPage, error) {
	if err := q.validate(e.plan()); err != nil {
		return nil, err
	}
	queue := q.queue()
	var after *cursor
	if q.Cursor != "" {
		c, err := parseCursor(q.Cursor, queue)
		if err != nil {
			return nil, err
		}
		after = &c
	}
	if !queue && e.cfg.History != nil {
		return e.searchHistory(ctx, q, after, v)
	}
	if !queue {
		return e.searchMemoryHistory(ctx, q, after, v)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	page := &IncidentPage{Items: []*cc112.Incident{}}
	list := make([]*cc112.Incident, 0, len(e.index.active))
	for _, en := range e.index.active {
		if inc := en.inc; (after == nil || !after.before(inc)) && q.match(inc, v) && q.textMatch(inc, v) {
			list = append(list, inc)
		}
	}
	SortIncidents(list)
	for _, inc := range list {
		if len(page.Items) == q.Limit {
			page.NextCursor = cursorOf(list[q.Limit-1], true).String()
			break
		}
		page.Items = append(page.Items, inc.Clone().For(v))
	}
	return page, nil
}

// searchMemoryHistory answers a history page (closed, all) from the
// engine's index and, for the incidents it let go, from the archive: up
// to a page and one more from each, newest first, merged.
func (e *Engine) searchMemoryHistory(ctx context.Context, q IncidentQuery, after *cursor, v cc112.Viewer) (*IncidentPage, error) {
	found := e.historyInMemory(q, after, v)
	if e.cfg.Archive != nil {
		var before *cc112.HistoryKey
		switch {
		case after != nil:
			before = &cc112.HistoryKey{ReceivedAt: time.Unix(0, after.nanos), ID: after.id}
		case !q.To.IsZero():
			before = &cc112.HistoryKey{ReceivedAt: q.To} // "" sorts below every id: from To down
		}
		seen := make(map[string]bool, len(found))
		for _, inc := range found {
			seen[inc.ID] = true
		}
		n := 0
		take := func(inc *cc112.Incident) bool {
			if !q.From.IsZero() && inc.ReceivedAt.Before(q.From) {
				return false
			}
			if !seen[inc.ID] && q.match(inc, v) && q.textMatch(inc, v) {
				found = append(found, inc)
				n++
			}
			return n <= q.Limit
		}
		var err error
		if ts, ok := e.cfg.Archive.(cc112.ArchiveTextSearch); ok && q.Text != "" {
			// Only the documents whose text holds q.Text are read; take
			// still decides by v's rules.
			err = ts.EachArchivedText(ctx, before, cc112.ArchiveText{Text: q.Text, Phone: v.SeesPhones(),
				Internal: v.SeesInternal(), From: q.From}, take)
		} else {
			err = e.cfg.Archive.EachArchived(ctx, before, take)
		}
		if err != nil {
			return nil, cc112.Errorf(cc112.EUnavailable, "incident archive: %v", err)
		}
		slices.SortFunc(found, func(a, b *cc112.Incident) int {
			if timeLess(b, a) {
				return -1
			}
			return 1
		})
	}
	page := &IncidentPage{Items: []*cc112.Incident{}}
	for _, inc := range found {
		if len(page.Items) == q.Limit {
			page.NextCursor = cursorOf(found[q.Limit-1], false).String()
			break
		}
		page.Items = append(page.Items, inc.For(v))
	}
	return page, nil
}

// historyInMemory is up to a page and one more of the engine's own
// incidents after the cursor, newest first, as copies.
func (e *Engine) historyInMemory(q IncidentQuery, after *cursor, v cc112.Viewer) []*cc112.Incident {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var found []*cc112.Incident
	all := e.sortedByTime()
	at := func(t time.Time) int {
		k, _ := slices.BinarySearchFunc(all, t, func(en entry, t time.Time) int { return en.inc.ReceivedAt.Compare(t) })
		return k
	}
	lo, hi := 0, len(all)
	if !q.From.IsZero() {
		lo = at(q.From)
	}
	if !q.To.IsZero() {
		hi = at(q.To)
	}
	if after != nil {
		// The first incident at or after the cursor's key, ascending: the
		// page goes on below it.
		k, _ := slices.BinarySearchFunc(all, *after, func(en entry, c cursor) int {
			if n := en.inc.ReceivedAt.UnixNano(); n != c.nanos {
				if n < c.nanos {
					return -1
				}
				return 1
			}
			return strings.Compare(en.inc.ID, c.id)
		})
		hi = min(hi, k)
	}
	text := newNeedle(q.Text)
	for k := hi - 1; k >= lo && len(found) <= q.Limit; k-- {
		en := all[k]
		if e.index.gone(en) {
			continue
		}
		public, phone, internal := true, false, false
		if q.Text != "" {
			if public, phone, internal = e.index.textHit(en.doc, text); !public && !phone && !internal {
				continue // the incident itself is not read
			}
		}
		inc := en.inc
		if !q.match(inc, v) || !public && !q.phoneSeen(inc, v) && !(internal && v.SeesInternal()) {
			continue
		}
		found = append(found, inc.Clone())
	}
	return found
}

// searchHistory answers a history page (closed, all) from the configured
// HistorySearch: it finds the ids, outside the engine's lock; the engine
// gives the incidents as v sees them. An id the engine does not hold yet
// (a standby behind its leader) is left out of the page.
func (e *Engine) searchHistory(ctx context.Context, q IncidentQuery, after *cursor, v cc112.Viewer) (*IncidentPage, error) {
	page := &IncidentPage{Items: []*cc112.Incident{}}
	if v.Sight == cc112.SeeAgency {
		return page, nil // agency teams see no incidents
	}
	f := cc112.HistoryFilter{Closed: q.Status == "closed", Category: q.Category, Agency: q.Agency, District: q.District,
		Priority: q.Priority, From: q.From, To: q.To, Text: q.Text, Phone: v.SeesPhones(), Internal: v.SeesInternal(),
		Limit: q.Limit + 1}
	if v.Sight == cc112.SeeUnit {
		f.Unit = v.UnitID
	}
	if after != nil {
		f.After = &cc112.HistoryKey{ReceivedAt: time.Unix(0, after.nanos), ID: after.id}
	}
	keys, err := e.cfg.History.FindIncidents(ctx, f)
	if err != nil {
		return nil, cc112.Errorf(cc112.EUnavailable, "incident search: %v", err)
	}
	if len(keys) > q.Limit {
		last := keys[q.Limit-1]
		page.NextCursor = cursor{nanos: last.ReceivedAt.UnixNano(), id: last.ID}.String()
		keys = keys[:q.Limit]
	}
	incs := make([]*cc112.Incident, len(keys))
	e.mu.RLock()
	for k, key := range keys {
		if inc, ok := e.incidents[key.ID]; ok {
			incs[k] = inc.Clone()
		}
	}
	e.mu.RUnlock()
	if err := e.fillArchived(ctx, keys, incs); err != nil {
		return nil, err
	}
	for k := range keys {
		if incs[k] != nil {
			if view := incs[k].For(v); view != nil {
				page.Items = append(page.Items, view)
			}
		}
	}
	return page, nil
}

// match applies the filters to inc as v sees it: an incident v may not see
// is never listed, and the text never matches data v may not see.
func (q *IncidentQuery) match(inc *cc112.Incident, v cc112.Viewer) bool {
	switch q.Status {
	case "", "active", "all":
	case "closed":
		if inc.Active() {
			return false
		}
	default:
		if string(inc.Status) != q.Status {
			return false
		}
	}
	if (q.Category != "" && inc.Category != q.Category) || (q.Priority != 0 && inc.Priority != q.Priority) ||
		(q.District != "" && !strings.EqualFold(inc.District, q.District)) {
		return false
	}
	if !q.From.IsZero() && inc.ReceivedAt.Before(q.From) || !q.To.IsZero() && !inc.ReceivedAt.Before(q.To) {
		return false
	}
	if q.Agency != "" && !slices.ContainsFunc(inc.Assignments, func(a *cc112.Assignment) bool { return strings.EqualFold(a.Agency, q.Agency) }) {
		return false
	}
	return inc.ViewName(v) != ""
}

// textMatch searches the text in inc itself (the few open incidents; the
// history goes through the arena).
func (q *IncidentQuery) textMatch(inc *cc112.Incident, v cc112.Viewer) bool {
	if q.Text == "" || containsFold(inc.Number, q.Text) || containsFold(inc.Address, q.Text) || containsFold(inc.Description, q.Text) {
		return true
	}
	for _, n := range inc.Notes {
		if (!n.Internal || v.SeesInternal()) && containsFold(n.Text, q.Text) {
			return true
		}
	}
	return q.phoneSeen(inc, v)
}

// phoneSeen reports whether the text is in the caller's phone as v sees
// it: never for a viewer who does not see callers.
func (q *IncidentQuery) phoneSeen(inc *cc112.Incident, v cc112.Viewer) bool {
	seen := inc
	if inc.ViewName(v) != cc112.ViewAll {
		seen = inc.For(v)
	}
	return seen != nil && seen.Caller != nil && phoneMatches(seen.Caller.Phone, q.Text)
}

// phoneMatches finds q in an E.164 number also as dialled at home
// ("0812…" for "+62812…").
func phoneMatches(phone, q string) bool {
	if phone == "" {
		return false
	}
	d := dialledAs(q)
	return strings.Contains(phone, q) || d != "" && strings.Contains(phone, d)
}

// dialledAs is a number dialled at home ("0812…") as E.164 writes it
// ("62812…"), or "".
func dialledAs(q string) string {
	if len(q) > 1 && q[0] == '0' {
		return "62" + q[1:]
	}
	return ""
}

// containsFold reports whether s contains lower (already lower case),
// ignoring case; ASCII text, the usual case, is compared without
// allocating.
func containsFold(s, lower string) bool {
	if lower == "" {
		return true
	}
	if len(lower) > len(s) {
		return false
	}
	for k := 0; k < len(lower); k++ {
		if lower[k] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), lower)
		}
	}
	first := lower[0]
	for i := 0; i+len(lower) <= len(s); i++ {
		if asciiLower(s[i]) != first {
			continue
		}
		k := 1
		for k < len(lower) && asciiLower(s[i+k]) == lower[k] {
			k++
		}
		if k == len(lower) {
			return true
		}
	}
	return false
}

func asciiLower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
