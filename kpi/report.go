package kpi

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"time"

	"cc112"
)

// Group-by dimensions of a report.
const (
	ByCategory = "category"
	ByAgency   = "agency"
	ByDistrict = "district"
	ByHour     = "hour" // hour of day of the call, in the index's zone (WIB)
	ByDay      = "day"  // calendar day of the call, in the index's zone
)

// GroupBys lists the accepted group-by values.
var GroupBys = []string{ByCategory, ByAgency, ByDistrict, ByHour, ByDay}

// otherKey names the shared bucket when a column has more distinct values
// than the index codes (more than 64 agencies).
const otherKey = "(other)"

// Targets are what "within target" compares with.
type Targets struct {
	// Response is the city's promise, call to first unit on scene (444 s).
	Response time.Duration
	// ByCategory overrides Response for some categories.
	ByCategory map[string]time.Duration
	// Processing, Turnout and Travel are the targets of the parts.
	Processing, Turnout, Travel time.Duration
}

// DefaultTargets: 7.4 minutes to the scene (Surabaya's Command Center 112),
// and for the parts the NFPA 1221/1710 figures: 64 s alarm processing, 80 s
// turnout, 240 s travel.
func DefaultTargets() Targets {
	return Targets{Response: 444 * time.Second, Processing: 64 * time.Second, Turnout: 80 * time.Second, Travel: 240 * time.Second}
}

// ResponseFor is the response target of a category.
func (t Targets) ResponseFor(category string) time.Duration {
	if d, ok := t.ByCategory[category]; ok {
		return d
	}
	return t.Response
}

// Query selects and groups incidents. A zero From or To is unbounded.
type Query struct {
	From, To time.Time // received in [From, To)
	Category string    // "" for all
	Agency   string    // "" for all
	District string    // "" for all
	GroupBy  string    // "" for no groups, or one of GroupBys
}

// Validate refuses an unknown group-by and a window that ends before it starts.
func (q *Query) Validate() error {
	if q.GroupBy != "" && !slices.Contains(GroupBys, q.GroupBy) {
		return fmt.Errorf("group_by must be one of %v, not %q", GroupBys, q.GroupBy)
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return fmt.Errorf("to (%s) is before from (%s)", q.To.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return nil
}

// Figures describe one interval over a set of incidents. Count =
// WithResponse + Missing + OutOfOrder + Pending; the percentiles, the mean
// and the share within target are over the WithResponse values only.
type Figures struct {
	Count        int     `json:"count"`
	WithResponse int     `json:"with_response"`
	Missing      int     `json:"missing"`
	OutOfOrder   int     `json:"out_of_order"`
	Pending      int     `json:"pending"`
	P50          float64 `json:"p50_s"`
	P90          float64 `json:"p90_s"`
	Mean         float64 `json:"mean_s"`
	WithinTarget float64 `json:"within_target"` // share 0–1 of WithResponse ≤ target
}

// Set is the figures of one group: the response (call to scene) flattened
// into the set, and each part.
type Set struct {
	Key string `json:"key"`
	Figures
	Processing Figures `json:"processing"`
	Turnout    Figures `json:"turnout"`
	Travel     Figures `json:"travel"`
}

// Histogram counts response times in bins of BinS seconds from 0; Over
// counts those beyond the last bin.
type Histogram struct {
	BinS   int   `json:"bin_s"`
	Counts []int `json:"counts"`
	Over   int   `json:"over"`
}

// Report is the answer to a query.
type Report struct {
	TargetS          float64            `json:"target_s"`
	IntervalTargetsS map[string]float64 `json:"interval_targets_s"`
	CategoryTargetsS map[string]float64 `json:"category_targets_s,omitempty"`
	GroupBy          string             `json:"group_by,omitempty"`
	// OpenNow is the number of incidents active right now, whatever the window.
	OpenNow   int       `json:"open_now"`
	Overall   Set       `json:"overall"`
	Groups    []Set     `json:"groups"`
	Histogram Histogram `json:"histogram"`
}

const (
	histBinS = 60
	histBins = 30
)

// acc accumulates one group.
type acc struct {
	key    string
	count  int
	states [numIntervals][4]int
	vals   [numIntervals][]float64
	sum    [numIntervals]float64
	within [numIntervals]int

	// A report over the archive (stream) selects its percentiles itself.
	picked bool                     // pick holds them: vals is unused
	pick   [numIntervals][2]float64 // P50, P90 in seconds, rounded to the millisecond
	keys   [numIntervals][]int32    // milliseconds kept in the first pass
	lo, hi [numIntervals]int64      // range of the milliseconds
	ranks  [numIntervals][2]*rankRange
	seen   [numIntervals]int // values met in a refinement pass
}

// count is the first pass: everything but the values themselves.
func (a *acc) count1(r *row, targets *[numIntervals]float64) {
	a.count++
	for k := range numIntervals {
		st := r.state(int(k))
		a.states[k][st]++
		if st != OK {
			continue
		}
		a.sum[k] += r.vals[k]
		if r.vals[k] <= targets[k] {
			a.within[k]++
		}
	}
}

// collect is the second pass: the values, into slices sized by the first.
func (a *acc) collect(r *row) {
	for k := range numIntervals {
		if r.state(int(k)) == OK {
			a.vals[k] = append(a.vals[k], r.vals[k])
		}
	}
}

func (a *acc) set() Set {
	s := Set{Key: a.key}
	for k, f := range []*Figures{Processing: &s.Processing, Turnout: &s.Turnout, Travel: &s.Travel, Response: &s.Figures} {
		n := a.states[k][OK]
		*f = Figures{
			Count: a.count, WithResponse: n, Missing: a.states[k][Missing],
			OutOfOrder: a.states[k][OutOfOrder], Pending: a.states[k][Pending],
		}
		if n == 0 {
			continue
		}
		if a.picked {
			f.P50, f.P90 = a.pick[k][0], a.pick[k][1]
		} else {
			p50, p90 := p50p90(a.vals[k])
			f.P50, f.P90 = round3(p50), round3(p90)
		}
		f.Mean = round3(a.sum[k] / float64(n))
		f.WithinTarget = round3(float64(a.within[k]) / float64(n))
	}
	return s
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func seconds(d time.Duration) float64 { return d.Seconds() }

// Report computes the figures of the incidents q selects, those in the
// archive too. A bad query is cc112.EInvalid; an archive that cannot be
// read, cc112.EUnavailable (never partial figures).
func (x *Index) Report(ctx context.Context, q Query, t Targets) (*Report, error) {
	if err := q.Validate(); err != nil {
		return nil, cc112.Errorf(cc112.EInvalid, "%v", err)
	}
	rep := &Report{
		TargetS: seconds(t.Response), GroupBy: q.GroupBy, Groups: []Set{},
		IntervalTargetsS: map[string]float64{
			"processing": seconds(t.Processing), "turnout": seconds(t.Turnout), "travel": seconds(t.Travel),
		},
		Histogram: Histogram{BinS: histBinS, Counts: make([]int, histBins)},
	}
	if len(t.ByCategory) > 0 {
		rep.CategoryTargetsS = map[string]float64{}
		for c, d := range t.ByCategory {
			rep.CategoryTargetsS[c] = seconds(d)
		}
	}
	var groups []*acc
	if x.archive != nil {
		var err error
		if groups, err = x.streamReport(ctx, q, t, rep); err != nil {
			return nil, err
		}
		x.read(func() { rep.OpenNow = x.open })
	} else {
		buf, _ := x.bufs.Get().(*[]float64)
		if buf == nil {
			buf = new([]float64)
		}
		defer x.bufs.Put(buf)
		x.read(func() {
			rep.OpenNow = x.open
			groups = x.scan(q, t, rep, buf)
		})
	}
	rep.Overall = groups[0].set()
	rep.Overall.Key = ""
	for _, g := range groups[1:] {
		if g.count > 0 || q.GroupBy == ByHour {
			rep.Groups = append(rep.Groups, g.set())
		}
	}
	sort.SliceStable(rep.Groups, func(a, b int) bool { return rep.Groups[a].Key < rep.Groups[b].Key })
	return rep, nil
}

// scan runs under the read lock: it filters the rows and fills the
// accumulators (index 0 is the overall one) and the histogram. It makes
// two passes so that the values of every group and interval go into one
// buffer of the exact size, buf, reused between reports: a report over a
// million incidents would otherwise allocate (and leave to the GC)
// several hundred megabytes of growing slices.
func (x *Index) scan(q Query, t Targets, rep *Report, buf *[]float64) []*acc {
	all := &acc{}
	out := []*acc{all}
	sel, ok := x.selector(q)
	if !ok {
		return out // a category, agency or district that never occurs
	}
	// Per-category response targets, by category code.
	targets := make([][numIntervals]float64, len(x.cats.names)+1)
	for c := range targets {
		targets[c] = [numIntervals]float64{seconds(t.Processing), seconds(t.Turnout), seconds(t.Travel), seconds(t.Response)}
		if c < len(x.cats.names) {
			targets[c][Response] = seconds(t.ResponseFor(x.cats.names[c]))
		}
	}
	groupOf, names := x.grouper(q.GroupBy)
	byCode := map[int]*acc{}
	get := func(code int) *acc {
		g, ok := byCode[code]
		if !ok {
			g = &acc{key: names(code)}
			byCode[code] = g
			out = append(out, g)
		}
		return g
	}
	if q.GroupBy == ByHour {
		for h := range 24 {
			get(h)
		}
	}
	var codes [64]int
	for _, chunk := range x.rows.chunks {
		for i := range chunk {
			r := &chunk[i]
			if !sel(r) {
				continue
			}
			tg := &targets[min(int(r.cat), len(targets)-1)]
			all.count1(r, tg)
			if v := r.value(int(Response)); v.State == OK {
				if b := int(v.Seconds) / histBinS; b < histBins {
					rep.Histogram.Counts[b]++
				} else {
					rep.Histogram.Over++
				}
			}
			if groupOf != nil {
				for _, c := range groupOf(r, codes[:0]) {
					get(c).count1(r, tg)
				}
			}
		}
	}
	total := 0
	for _, a := range out {
		for k := range numIntervals {
			total += a.states[k][OK]
		}
	}
	if cap(*buf) < total {
		*buf = make([]float64, total)
	}
	free := (*buf)[:total]
	for _, a := range out {
		for k := range numIntervals {
			n := a.states[k][OK]
			a.vals[k], free = free[:0:n], free[n:]
		}
	}
	for _, chunk := range x.rows.chunks {
		for i := range chunk {
			r := &chunk[i]
			if !sel(r) {
				continue
			}
			all.collect(r)
			if groupOf != nil {
				for _, c := range groupOf(r, codes[:0]) {
					byCode[c].collect(r)
				}
			}
		}
	}
	return out
}

func unreadable(err error) error {
	return cc112.Errorf(cc112.EUnavailable, "the metrics archive cannot be read: %v", err)
}

// enterWindow waits for a place among the maxWindows reading the archive
// (or for ctx: unavailable); release gives it back.
func (x *Index) enterWindow(ctx context.Context) (release func(), err error) {
	select {
	case x.windows <- struct{}{}:
		return func() { <-x.windows }, nil
	case <-ctx.Done():
		return nil, cc112.Errorf(cc112.EUnavailable, "%d reports over the archive are running; none ended before the request did: %v", maxWindows, ctx.Err())
	}
}

// windowBounds are the archive's bounds of q's window, whole seconds
// around q's (rows keep the call's second), and the test of a row.
func windowBounds(q Query) (from, to time.Time, inWindow func(*row) bool) {
	if !q.From.IsZero() {
		from = time.Unix(q.From.Unix(), 0)
	}
	if !q.To.IsZero() {
		to = time.Unix(q.To.Unix()+1, 0)
	}
	return from, to, func(r *row) bool {
		return (from.IsZero() || r.recv >= from.Unix()) && (to.IsZero() || r.recv < to.Unix())
	}
}

// holdWindow is the first read of a window: it copies the index's rows in
// the window into w and says where (held), before the archive is read.
// Their archived copies are skipped; the last read refreshes them. A copy,
// not just the IDs: an incident archived and forgotten after the
// archive's read began is in neither the archive read nor the last read,
// and must still count. The copies are bounded by what the engine holds.
func (x *Index) holdWindow(w *Index, inWindow func(*row) bool) (held map[string]int32) {
	held = map[string]int32{}
	x.read(func() {
		x.rows.each(func(p int32, r *row) {
			if inWindow(r) {
				rec := x.record(p)
				w.putLocked(&rec)
				held[rec.ID], _ = w.find(rec.ID)
				if w.pos == nil {
					held[rec.ID] = int32(w.rows.len() - 1) // unplaced: appended
				}
			}
		})
	})
	return held
}

// maxWindows is how many reports and exports may read the archive at once:
// each holds memory's rows of its window; a report streams the archive in
// bounded memory (collectBudget, bucketBudget and the idSet: about 50 MB at
// most), an export a page at a time, but each still costs a read of the
// archive. More wait for one to end, so that a few supervisors asking for
// years at once cannot exhaust the center's memory or its disk.
const maxWindows = 2

// selector returns the filter of q (cancelled incidents never pass: no
// unit was needed, so they are no response to measure); ok is false when q names a value that
// no incident has (nothing can match).
func (x *Index) selector(q Query) (sel func(*row) bool, ok bool) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = q.From.Unix()
		if q.From.Nanosecond() > 0 {
			from++ // rows hold whole seconds
		}
	}
	if !q.To.IsZero() {
		to = q.To.Unix()
		if q.To.Nanosecond() > 0 {
			to++
		}
	}
	cat, catOK := x.cats.lookup(q.Category)
	dist, distOK := x.dists.lookup(q.District)
	agency, agencyOK := x.agencies.lookup(q.Agency)
	if (q.Category != "" && !catOK) || (q.District != "" && !distOK) || (q.Agency != "" && !agencyOK) {
		return nil, false
	}
	var agencyBit uint64
	if q.Agency != "" {
		agencyBit = 1 << min(agency, 63)
	}
	return func(r *row) bool {
		return !r.has(rowCancelled) && // a cancelled incident is not a response
			r.recv >= from && r.recv < to &&
			(q.Category == "" || r.cat == cat) &&
			(q.District == "" || r.dist == dist) &&
			(agencyBit == 0 || r.agency&agencyBit != 0)
	}, true
}

// grouper returns the group codes of a row and the name of a code.
func (x *Index) grouper(by string) (func(*row, []int) []int, func(int) string) {
	switch by {
	case ByCategory:
		return func(r *row, c []int) []int { return append(c, int(r.cat)) }, func(c int) string { return x.cats.names[c] }
	case ByDistrict:
		return func(r *row, c []int) []int { return append(c, int(r.dist)) }, func(c int) string { return x.dists.names[c] }
	case ByHour:
		return func(r *row, c []int) []int { return append(c, int(r.hour)) }, func(c int) string { return fmt.Sprintf("%02d", c) }
	case ByDay:
		return func(r *row, c []int) []int { return append(c, int(r.day)) }, func(c int) string {
			return time.Unix(int64(c)*86400, 0).UTC().Format(time.DateOnly)
		}
	case ByAgency:
		return func(r *row, c []int) []int {
				for m := r.agency; m != 0; m &= m - 1 {
					c = append(c, bits.TrailingZeros64(m))
				}
				return c
			}, func(c int) string {
				if c == 63 && len(x.agencies.names) > 64 {
					return otherKey
				}
				return x.agencies.names[c]
			}
	}
	return nil, nil
}
