package kpi

import (
	"context"
	"errors"
	"hash/maphash"
	"math"
	"slices"
	"time"

	"cc112"
)

// A report over the archive streams the window's archived records (issue
// 21): none is kept, only the accumulators and, to select the
// percentiles, the response times. The report rounds to the millisecond
// and rounding is monotone, so a percentile of the values rounded to the
// millisecond is the rounded percentile: values are kept as whole
// milliseconds (int32 while they fit: 24 days). Up to collectBudget values
// are kept in the first pass; beyond, the percentiles are found by further
// passes that narrow each wanted rank's range of milliseconds (counting
// the values in buckets of it) until its values fit the budget or the
// range is one millisecond: exact, in bounded memory, whatever the window.

// collectBudget is how many values a report over the archive keeps at most
// (32 MB of int32 in the first pass; refinement passes keep half as many
// int64): a year at Jakarta's volume with a group-by (~5 million) fits,
// so takes one pass.
var collectBudget = 1 << 23

// bucketBudget is how many bucket counters a refinement pass has for all
// its ranks (8 MB).
var bucketBudget = 1 << 21

// maxKey bounds the milliseconds a refinement pass works with (so that a
// range's width and its buckets' bounds never overflow an int64): a value
// beyond ±73 million years (none: values come from time.Duration) is
// taken as this.
const maxKey = 1 << 61

// errArchiveChanged: the archive lost records between passes (restored).
var errArchiveChanged = errors.New("the archive changed between the passes")

// passAttempts is how often a report starts over when the archive changed
// under it (an incident restored while it ran) before it gives up.
const passAttempts = 4

// msKey is a value in whole milliseconds, as round3 rounds it.
func msKey(v float64) int64 {
	m := math.Round(v * 1000)
	if !(m > -maxKey) { // NaN too
		return -maxKey
	}
	return int64(min(m, maxKey))
}

// stream is a report over the archive in progress.
type stream struct {
	x, w       *Index // w: copies of the window's rows in memory, and the names of every row read
	q          Query
	t          Targets
	sel        func(*row) bool
	groupOf    func(*row, []int) []int
	names      func(int) string
	targets    [][numIntervals]float64 // by category code, grown as categories appear
	codes      [64]int
	agencyRoom [inlineAgencies]uint16

	all    *acc
	out    []*acc
	byCode map[int]*acc
	hist   Histogram
	kept   int  // capacity of the values kept in the first pass
	over   bool // beyond collectBudget: the values are dropped, refinement passes follow
}

// rankRange is one wanted rank of one group and interval during the
// refinement passes: the rank-th smallest of the values in [lo, hi].
type rankRange struct {
	a       *acc
	k       Interval
	p       int // index in acc.pick
	rank    int // 1-based, among the values in [lo, hi]
	lo, hi  int64
	n       int // values in [lo, hi]
	done    bool
	collect bool    // this pass keeps the values in range
	keys    []int64 // kept values
	counts  []uint32
	shift   uint // bucket of a key: (key-lo) >> shift
}

// streamReport fills rep's groups from the archive and the index's rows of
// q's window.
func (x *Index) streamReport(ctx context.Context, q Query, t Targets, rep *Report) ([]*acc, error) {
	release, err := x.enterWindow(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	from, to, inWindow := windowBounds(q)
	w := &Index{loc: x.loc, pos: map[uint64]int32{}, seed: x.seed}
	held := x.holdWindow(w, inWindow)
	// Interned first, so that the selector knows them whatever comes.
	for _, v := range []struct {
		in   *interner
		name string
	}{{&w.cats, q.Category}, {&w.dists, q.District}, {&w.agencies, q.Agency}} {
		if v.name != "" {
			v.in.code(v.name)
		}
	}
	for range passAttempts {
		s := &stream{x: x, w: w, t: t, byCode: map[int]*acc{}, hist: Histogram{BinS: histBinS, Counts: make([]int, histBins)}}
		s.sel, _ = w.selector(q)
		s.groupOf, s.names = w.grouper(q.GroupBy)
		s.all = &acc{}
		s.out = []*acc{s.all}
		if q.GroupBy == ByHour {
			for h := range 24 {
				s.group(h)
			}
		}
		restored, err := s.firstPass(ctx, from, to, inWindow, held)
		if err != nil {
			return nil, err
		}
		if restored {
			continue // its archived copy may have counted: again, without it
		}
		if s.over {
			err = s.refine(ctx, from, to, held)
			if errors.Is(err, errArchiveChanged) {
				continue
			}
			if err != nil {
				return nil, err
			}
		} else {
			s.pickKept()
		}
		rep.Histogram = s.hist
		return s.out, nil
	}
	return nil, cc112.Errorf(cc112.EUnavailable, "the metrics archive changed during the report %d times; ask again", passAttempts)
}

// firstPass counts the archived records and then the rows in memory,
// refreshed (the last read of the window); restored says an incident
// came into memory that the archive's read may have counted too.
func (s *stream) firstPass(ctx context.Context, from, to time.Time, inWindow func(*row) bool, held map[string]int32) (restored bool, err error) {
	read := newIDSet()
	if err := s.eachArchived(ctx, from, to, held, func(id []byte, r *row) {
		read.add(maphash.Bytes(s.w.seed, id))
		s.count(r)
	}); err != nil {
		return false, err
	}
	s.x.read(func() {
		s.x.rows.each(func(p int32, r *row) {
			if !inWindow(r) {
				return
			}
			rec := s.x.record(p)
			if _, ok := held[rec.ID]; !ok {
				// New, or restored since the first read.
				restored = restored || read.has(maphash.String(s.w.seed, cut(rec.ID)))
				held[rec.ID] = 0
			}
			s.w.putLocked(&rec)
		})
	})
	if !restored {
		s.w.rows.each(func(_ int32, r *row) { s.count(r) })
	}
	return restored, nil
}

// eachArchived decodes the archived records of the window but those held.
func (s *stream) eachArchived(ctx context.Context, from, to time.Time, held map[string]int32, fn func(id []byte, r *row)) error {
	var bad error
	var id []byte
	var r row // one for the whole read: fn's pointer would make one escape per record
	err := s.x.archive.EachArchivedRecord(ctx, from, to, func(rec []byte) bool {
		if id, _, r, _, bad = s.w.unpackRecord(rec, s.agencyRoom[:0]); bad != nil {
			return false
		}
		if _, ok := held[string(id)]; !ok {
			fn(id, &r)
		}
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return unreadable(err)
	}
	return ctx.Err()
}

func (s *stream) group(code int) *acc {
	g, ok := s.byCode[code]
	if !ok {
		g = &acc{key: s.names(code)}
		s.byCode[code] = g
		s.out = append(s.out, g)
	}
	return g
}

// target is the targets of a category code.
func (s *stream) target(c uint16) *[numIntervals]float64 {
	for len(s.targets) <= int(c) {
		name := s.w.cats.names[len(s.targets)]
		s.targets = append(s.targets, [numIntervals]float64{
			seconds(s.t.Processing), seconds(s.t.Turnout), seconds(s.t.Travel), seconds(s.t.ResponseFor(name)),
		})
	}
	return &s.targets[c]
}

// count is the first pass over a row: the accumulators, the histogram and
// the values while they fit.
func (s *stream) count(r *row) {
	if !s.sel(r) {
		return
	}
	tg := s.target(r.cat)
	s.all.count1(r, tg)
	s.keep(s.all, r)
	if v := r.value(int(Response)); v.State == OK {
		if b := int(v.Seconds) / histBinS; b < histBins {
			s.hist.Counts[b]++
		} else {
			s.hist.Over++
		}
	}
	if s.groupOf != nil {
		for _, c := range s.groupOf(r, s.codes[:0]) {
			g := s.group(c)
			g.count1(r, tg)
			s.keep(g, r)
		}
	}
}

// keep notes the range of a's values and keeps them while they fit.
func (s *stream) keep(a *acc, r *row) {
	for k := range numIntervals {
		if r.state(int(k)) != OK {
			continue
		}
		key := msKey(r.vals[k])
		if a.states[k][OK] == 1 {
			a.lo[k], a.hi[k] = key, key
		}
		a.lo[k], a.hi[k] = min(a.lo[k], key), max(a.hi[k], key)
		if s.over {
			continue
		}
		if key != int64(int32(key)) {
			s.drop()
			continue
		}
		c := cap(a.keys[k])
		a.keys[k] = append(a.keys[k], int32(key))
		if s.kept += cap(a.keys[k]) - c; s.kept > collectBudget {
			s.drop()
		}
	}
}

// drop gives the kept values up: refinement passes will follow.
func (s *stream) drop() {
	s.over = true
	for _, a := range s.out {
		a.keys = [numIntervals][]int32{}
	}
}

// pickKept selects the percentiles among the kept values.
func (s *stream) pickKept() {
	for _, a := range s.out {
		for k := range numIntervals {
			if len(a.keys[k]) > 0 {
				p50, p90 := p50p90(a.keys[k])
				a.pick[k] = [2]float64{float64(p50) / 1000, float64(p90) / 1000}
			}
		}
		a.picked = true
	}
}

// refine finds every group's and interval's percentiles by passes over
// the archive and the rows in memory: each keeps the values of the ranks
// whose ranges fit the budget and counts the others' in buckets, which
// narrow their ranges by the bucket count at least. A pass whose counts
// differ from the first's met a changed archive.
func (s *stream) refine(ctx context.Context, from, to time.Time, held map[string]int32) error {
	var open []*rankRange
	for _, a := range s.out {
		a.picked = true
		for k := range numIntervals {
			n := a.states[k][OK]
			if n == 0 {
				continue
			}
			for p, pct := range []float64{50, 90} {
				rr := &rankRange{a: a, k: k, p: p, rank: rank(pct, n), lo: a.lo[k], hi: a.hi[k], n: n}
				a.ranks[k][p] = rr
				open = append(open, rr)
			}
		}
	}
	for {
		open = slices.DeleteFunc(open, func(rr *rankRange) bool {
			if rr.lo == rr.hi {
				rr.a.pick[rr.k][rr.p] = float64(rr.lo) / 1000
				rr.done = true
			}
			return rr.done
		})
		if len(open) == 0 {
			return nil
		}
		plan(open)
		for _, a := range s.out {
			a.seen = [numIntervals]int{}
		}
		if err := s.eachArchived(ctx, from, to, held, func(_ []byte, r *row) { s.route(r) }); err != nil {
			return err
		}
		s.w.rows.each(func(_ int32, r *row) { s.route(r) })
		for _, a := range s.out {
			for k := range numIntervals {
				if a.seen[k] != a.states[k][OK] {
					return errArchiveChanged
				}
			}
		}
		for _, rr := range open {
			rr.narrow()
		}
	}
}

// plan chooses, for each open rank, to keep its values in the next pass
// (the fewest first, while they fit half the budget: int64) or to count
// them in buckets (bucketBudget shared).
func plan(open []*rankRange) {
	slices.SortFunc(open, func(a, b *rankRange) int { return a.n - b.n })
	room, bucketed := collectBudget/2, 0
	for _, rr := range open {
		if rr.collect = rr.n <= room; rr.collect {
			room -= rr.n
			rr.keys = make([]int64, 0, rr.n)
		} else {
			bucketed++
		}
	}
	per := uint64(max(2, bucketBudget/max(bucketed, 1)))
	for _, rr := range open {
		if rr.collect {
			continue
		}
		width := uint64(rr.hi - rr.lo) // hi > lo: one value is done
		rr.shift = 0
		for width>>rr.shift >= per {
			rr.shift++
		}
		rr.counts = make([]uint32, width>>rr.shift+1)
	}
}

// route is a refinement pass over a row.
func (s *stream) route(r *row) {
	if !s.sel(r) {
		return
	}
	s.routeTo(s.all, r)
	if s.groupOf != nil {
		for _, c := range s.groupOf(r, s.codes[:0]) {
			g, ok := s.byCode[c]
			if !ok {
				g = &acc{} // a group the first pass did not meet: seen ≠ counted
				s.byCode[c] = g
				s.out = append(s.out, g)
			}
			s.routeTo(g, r)
		}
	}
}

func (s *stream) routeTo(a *acc, r *row) {
	for k := range numIntervals {
		if r.state(int(k)) != OK {
			continue
		}
		a.seen[k]++
		key := msKey(r.vals[k])
		for _, rr := range a.ranks[k] {
			if rr == nil || rr.done || key < rr.lo || key > rr.hi {
				continue
			}
			if rr.collect {
				rr.keys = append(rr.keys, key)
			} else {
				rr.counts[uint64(key-rr.lo)>>rr.shift]++
			}
		}
	}
}

// narrow takes a pass's result: the rank's value, or its bucket's range.
func (rr *rankRange) narrow() {
	if rr.collect {
		selectK(rr.keys, rr.rank-1)
		rr.a.pick[rr.k][rr.p] = float64(rr.keys[rr.rank-1]) / 1000
		rr.done, rr.keys = true, nil
		return
	}
	below := 0
	for b, c := range rr.counts {
		if below+int(c) >= rr.rank {
			rr.rank -= below
			rr.n = int(c)
			rr.lo += int64(b) << rr.shift
			rr.hi = min(rr.hi, rr.lo+(1<<rr.shift)-1)
			break
		}
		below += int(c)
	}
	rr.counts = nil
}

// idSet holds the hashes of the IDs the first pass read from the archive,
// to tell whether an incident that came into memory meanwhile was among
// them: exactly up to a million (8 MB), then in a Bloom filter of 8 MB.
// "Maybe" costs a second pass, never a wrong figure.
type idSet struct {
	hashes []uint64
	sorted bool
	bloom  []uint64
}

const (
	idSetExact = 1 << 20
	bloomBits  = 1 << 26
	bloomProbe = 4
)

func newIDSet() *idSet { return &idSet{} }

func (s *idSet) add(h uint64) {
	if s.bloom == nil {
		s.sorted = false
		if s.hashes = append(s.hashes, h); len(s.hashes) <= idSetExact {
			return
		}
		s.bloom = make([]uint64, bloomBits/64)
		for _, h := range s.hashes {
			s.set(h)
		}
		s.hashes = nil
	}
	s.set(h)
}

func (s *idSet) set(h uint64) {
	for i := range uint64(bloomProbe) {
		b := (h + i*(h>>32|1)) % bloomBits
		s.bloom[b/64] |= 1 << (b % 64)
	}
}

func (s *idSet) has(h uint64) bool {
	if s.bloom == nil {
		if !s.sorted {
			slices.Sort(s.hashes)
			s.sorted = true
		}
		_, ok := slices.BinarySearch(s.hashes, h)
		return ok
	}
	for i := range uint64(bloomProbe) {
		b := (h + i*(h>>32|1)) % bloomBits
		if s.bloom[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}
