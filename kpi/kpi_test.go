package kpi

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"cc112"
)

var t0 = time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) // 08:00 WIB

func at(sec int) *time.Time {
	t := t0.Add(time.Duration(sec) * time.Second)
	return &t
}

func TestMeasure(t *testing.T) {
	ok := func(s float64) Value { return Value{Seconds: s, State: OK} }
	miss, pend := Value{State: Missing}, Value{State: Pending}
	tests := []struct {
		name string
		tl   Timeline
		want [numIntervals]Value
	}{
		{"complete", Timeline{Received: t0, Dispatched: at(45), Enroute: at(105), Onscene: at(405)},
			[4]Value{ok(45), ok(60), ok(300), ok(405)}},
		{"all at once", Timeline{Received: t0, Dispatched: at(0), Enroute: at(0), Onscene: at(0)},
			[4]Value{ok(0), ok(0), ok(0), ok(0)}},
		{"en route never tapped, closed", Timeline{Received: t0, Dispatched: at(30), Onscene: at(400)},
			[4]Value{ok(30), miss, miss, ok(400)}},
		{"cancelled before dispatch", Timeline{Received: t0},
			[4]Value{miss, miss, miss, miss}},
		{"open, only dispatched", Timeline{Received: t0, Dispatched: at(50), Open: true},
			[4]Value{ok(50), pend, pend, pend}},
		{"open, on scene without en route", Timeline{Received: t0, Dispatched: at(50), Onscene: at(200), Open: true},
			[4]Value{ok(50), pend, miss, ok(200)}},
		{"on scene before en route (late tap)", Timeline{Received: t0, Dispatched: at(20), Enroute: at(300), Onscene: at(250)},
			[4]Value{ok(20), ok(280), {Seconds: -50, State: OutOfOrder}, ok(250)}},
		{"dispatched before the call (clock skew)", Timeline{Received: t0, Dispatched: at(-10), Enroute: at(30), Onscene: at(100)},
			[4]Value{{Seconds: -10, State: OutOfOrder}, ok(40), ok(70), ok(100)}},
		{"no received time", Timeline{Dispatched: at(1), Enroute: at(2), Onscene: at(3)},
			[4]Value{miss, ok(1), ok(1), miss}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Measure(tc.tl); got != tc.want {
				t.Errorf("Measure = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestPercentileNearestRank(t *testing.T) {
	tests := []struct {
		vals     []float64
		p        float64
		want     float64
		describe string
	}{
		{nil, 90, 0, "none"},
		{[]float64{7}, 90, 7, "one value"},
		{[]float64{7}, 50, 7, "one value, median"},
		{[]float64{1, 2, 3, 4}, 50, 2, "even count: ceil(0.5*4)=2nd"},
		{[]float64{4, 3, 2, 1, 5}, 50, 3, "odd count: 3rd"},
		{[]float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 90, 90, "ten values: 9th, not interpolated"},
		{[]float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110}, 90, 100, "eleven: ceil(9.9)=10th"},
		{[]float64{5, 5, 5, 5, 9}, 50, 5, "ties"},
		{[]float64{5, 5, 5, 5, 9}, 90, 9, "ties below the top"},
		{[]float64{300, 300, 300, 300, 300, 300, 300, 300, 300, 600}, 90, 300, "ties: 9 of 10 ≤ 300"},
		{[]float64{1, 2}, 90, 2, "two values"},
		{[]float64{2, 1}, 50, 1, "two values, median"},
	}
	for _, tc := range tests {
		t.Run(tc.describe, func(t *testing.T) {
			if got := Percentile(slices.Clone(tc.vals), tc.p); got != tc.want {
				t.Errorf("P%v of %v = %v, want %v", tc.p, tc.vals, got, tc.want)
			}
		})
	}
}

// TestSelectMatchesSort checks quickselect against sorting on random data
// with many ties.
func TestSelectMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 300; n += 7 {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(rng.IntN(40))
		}
		sorted := slices.Sorted(slices.Values(vals))
		p50, p90 := p50p90(slices.Clone(vals))
		if w50, w90 := sorted[rank(50, n)-1], sorted[rank(90, n)-1]; p50 != w50 || p90 != w90 {
			t.Fatalf("n=%d: p50,p90 = %v,%v, want %v,%v", n, p50, p90, w50, w90)
		}
	}
}

// rec builds a record received at t0+offset with the given response parts
// (negative = missing).
func rec(id, cat, district string, agencies []string, offset time.Duration, proc, turn, trav int) Record {
	recv := t0.Add(offset)
	tl := Timeline{Received: recv}
	add := func(base *time.Time, s int) *time.Time {
		if base == nil || s < 0 {
			return nil
		}
		v := base.Add(time.Duration(s) * time.Second)
		return &v
	}
	tl.Dispatched = add(&recv, proc)
	tl.Enroute = add(tl.Dispatched, turn)
	tl.Onscene = add(tl.Enroute, trav)
	return Record{ID: id, Number: id, Category: cat, District: district, Agencies: agencies, ReceivedAt: recv, Values: Measure(tl)}
}

func TestReportGroups(t *testing.T) {
	x := NewIndex(cc112.WIB)
	x.Put(rec("a", "fire", "Genteng", []string{"damkar", "polri"}, 0, 60, 60, 200))       // 320
	x.Put(rec("b", "fire", "Genteng", []string{"damkar"}, time.Hour, 100, 100, 300))      // 500
	x.Put(rec("c", "medical", "Tegalsari", []string{"dinkes"}, 2*time.Hour, 30, 30, 100)) // 160
	x.Put(rec("d", "medical", "", []string{"dinkes", "polri"}, 3*time.Hour, 30, -1, 100)) // turnout missing, travel missing
	x.Put(rec("e", "crime", "Tegalsari", []string{"polri"}, 25*time.Hour, 40, 40, 40))    // next day, 120
	x.Put(rec("b", "fire", "Genteng", []string{"damkar"}, time.Hour, 100, 100, 250))      // b replaced: 450
	rep, err := x.Report(context.Background(), Query{GroupBy: ByAgency}, Targets{Response: 444 * time.Second, Travel: 240 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	o := rep.Overall
	// Response values: 320, 450, 160, 120; d never reported en route nor
	// on scene, so its turnout, travel and response are missing.
	if o.Count != 5 || o.WithResponse != 4 || o.Missing != 1 {
		t.Fatalf("overall count/with/missing = %d/%d/%d, want 5/4/1", o.Count, o.WithResponse, o.Missing)
	}
	// sorted 120 160 320 450: P50 = 2nd = 160, P90 = ceil(3.6) = 4th = 450.
	if o.P50 != 160 || o.P90 != 450 || o.Mean != 262.5 || o.WithinTarget != 0.75 {
		t.Errorf("overall = %+v", o.Figures)
	}
	if o.Travel.WithResponse != 4 || o.Travel.Missing != 1 || o.Travel.WithinTarget != 0.75 {
		t.Errorf("travel = %+v", o.Travel)
	}
	got := map[string]Set{}
	for _, g := range rep.Groups {
		got[g.Key] = g
	}
	// polri took part in a (320), d (missing) and e (120): counted in both
	// polri and its other agency.
	if p := got["polri"]; p.Count != 3 || p.WithResponse != 2 || p.P90 != 320 || p.P50 != 120 {
		t.Errorf("polri = %+v", p.Figures)
	}
	if d := got["damkar"]; d.Count != 2 || d.P50 != 320 || d.P90 != 450 || d.WithinTarget != 0.5 {
		t.Errorf("damkar = %+v", d.Figures)
	}
	if keys := len(rep.Groups); keys != 3 {
		t.Errorf("%d agency groups, want 3", keys)
	}

	// Per-category target: fire must arrive within 5 minutes.
	rep, _ = x.Report(context.Background(), Query{GroupBy: ByCategory}, Targets{Response: 444 * time.Second, ByCategory: map[string]time.Duration{"fire": 5 * time.Minute}})
	for _, g := range rep.Groups {
		if g.Key == "fire" && g.WithinTarget != 0 {
			t.Errorf("fire within 300 s = %v, want 0 (320 and 450)", g.WithinTarget)
		}
	}

	// Hours are WIB and all 24 are listed; days follow the WIB calendar.
	rep, _ = x.Report(context.Background(), Query{GroupBy: ByHour}, DefaultTargets())
	if len(rep.Groups) != 24 || rep.Groups[8].Key != "08" || rep.Groups[8].Count != 1 || rep.Groups[9].Count != 2 || rep.Groups[0].Count != 0 {
		t.Errorf("hours: %d groups, [8] = %+v", len(rep.Groups), rep.Groups[8])
	}
	rep, _ = x.Report(context.Background(), Query{GroupBy: ByDay}, DefaultTargets())
	if len(rep.Groups) != 2 || rep.Groups[0].Key != "2026-11-22" || rep.Groups[0].Count != 4 || rep.Groups[1].Count != 1 {
		t.Errorf("days = %+v", rep.Groups)
	}
	rep, _ = x.Report(context.Background(), Query{GroupBy: ByDistrict}, DefaultTargets())
	if rep.Groups[0].Key != "" || rep.Groups[0].Count != 1 {
		t.Errorf("district groups = %+v (the unknown district first)", rep.Groups)
	}
}

func TestReportFiltersAndEmptyWindow(t *testing.T) {
	x := NewIndex(cc112.WIB)
	x.Put(rec("a", "fire", "Genteng", []string{"damkar"}, 0, 60, 60, 200))
	x.Put(rec("b", "medical", "Genteng", []string{"dinkes"}, time.Hour, 60, 60, 100))
	tests := []struct {
		name string
		q    Query
		want int
	}{
		{"all", Query{}, 2},
		{"from inclusive", Query{From: t0}, 2},
		{"to exclusive", Query{To: t0.Add(time.Hour)}, 1},
		{"empty window", Query{From: t0.Add(5 * time.Hour), To: t0.Add(6 * time.Hour)}, 0},
		{"category", Query{Category: "medical"}, 1},
		{"unknown category", Query{Category: "volcano"}, 0},
		{"agency", Query{Agency: "damkar"}, 1},
		{"unknown agency", Query{Agency: "nasa"}, 0},
		{"district", Query{District: "Genteng"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := x.Report(context.Background(), tc.q, DefaultTargets())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Overall.Count != tc.want {
				t.Errorf("count = %d, want %d", rep.Overall.Count, tc.want)
			}
			if tc.want == 0 && (rep.Overall.P90 != 0 || rep.Overall.Mean != 0 || len(rep.Groups) != 0) {
				t.Errorf("empty window not zero: %+v", rep.Overall)
			}
		})
	}
	for _, q := range []Query{{GroupBy: "weekday"}, {From: t0, To: t0.Add(-time.Second)}} {
		if _, err := x.Report(context.Background(), q, DefaultTargets()); err == nil {
			t.Errorf("query %+v accepted", q)
		}
	}
}

func TestOpenAndOutOfOrderCounted(t *testing.T) {
	x := NewIndex(cc112.WIB)
	open := Record{ID: "o", Category: "fire", ReceivedAt: t0, Open: true,
		Values: Measure(Timeline{Received: t0, Dispatched: at(20), Open: true})}
	bad := Record{ID: "b", Category: "fire", ReceivedAt: t0,
		Values: Measure(Timeline{Received: t0, Dispatched: at(20), Enroute: at(500), Onscene: at(400)})}
	x.Put(open)
	x.Put(bad)
	rep, _ := x.Report(context.Background(), Query{}, DefaultTargets())
	o := rep.Overall
	if rep.OpenNow != 1 || o.Pending != 1 || o.WithResponse != 1 || o.P90 != 400 {
		t.Errorf("open/pending/with/P90 = %d/%d/%d/%v", rep.OpenNow, o.Pending, o.WithResponse, o.P90)
	}
	if o.Travel.OutOfOrder != 1 || o.Travel.Pending != 1 || o.Travel.WithResponse != 0 || o.Travel.P90 != 0 {
		t.Errorf("travel = %+v: the out-of-order value must be counted, not used", o.Travel)
	}
	if o.Turnout.WithResponse != 1 || o.Turnout.P90 != 480 {
		t.Errorf("turnout = %+v", o.Turnout)
	}
	// The open incident closes: no longer open, its missing parts now missing.
	open.Open = false
	open.Values = Measure(Timeline{Received: t0, Dispatched: at(20)})
	x.Put(open)
	rep, _ = x.Report(context.Background(), Query{}, DefaultTargets())
	if rep.OpenNow != 0 || rep.Overall.Missing != 1 || rep.Overall.Pending != 0 {
		t.Errorf("after close: open %d missing %d pending %d", rep.OpenNow, rep.Overall.Missing, rep.Overall.Pending)
	}
	if f := bad.Flags(); !slices.Contains(f, "travel:out_of_order") {
		t.Errorf("flags = %v", f)
	}
}

func TestExportOrderAndChunks(t *testing.T) {
	x := NewIndex(cc112.WIB)
	n := exportChunk + 10
	for i := range n {
		x.Put(rec(fmt.Sprint(i), "fire", "", nil, time.Duration(n-i)*time.Second, 1, 1, 1))
	}
	var got []Record
	calls := 0
	err := x.Export(context.Background(), Query{}, func(rs []Record) error {
		calls++
		got = append(got, rs...)
		return nil
	})
	if err != nil || len(got) != n || calls != 2 {
		t.Fatalf("export: err %v, %d records in %d calls", err, len(got), calls)
	}
	if !slices.IsSortedFunc(got, func(a, b Record) int { return a.ReceivedAt.Compare(b.ReceivedAt) }) {
		t.Error("export not in call order")
	}
}

// An incident made from a call measures from the call's answer (NFPA 1225,
// NENA): the call handling time before the incident was saved counts in
// processing and response and moves P90 by exactly that time. Incidents
// without a call keep measuring from received_at.
func TestCallReceivedAtMovesP90(t *testing.T) {
	const handling = 90 * time.Second
	build := func(fromCall bool) *Report {
		x := NewIndex(cc112.WIB)
		for k := 0; k < 10; k++ {
			recv := t0.Add(time.Duration(k) * time.Hour)
			disp := recv.Add(60 * time.Second)
			enr := disp.Add(30 * time.Second)
			ons := enr.Add(time.Duration(100+10*k) * time.Second)
			closed := ons.Add(time.Hour)
			inc := &cc112.Incident{ID: fmt.Sprint("i", k), Number: fmt.Sprint(k), Category: "fire", Priority: 1,
				Status: cc112.IncidentClosed, ReceivedAt: recv, DispatchedAt: &disp, EnrouteAt: &enr, OnsceneAt: &ons, ClosedAt: &closed}
			if fromCall {
				call := recv.Add(-handling)
				inc.CallReceivedAt = &call
			}
			x.Put(FromIncident(inc))
		}
		rep, err := x.Report(context.Background(), Query{}, DefaultTargets())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	saved, called := build(false).Overall, build(true).Overall
	// Response values 190..280 s: P90 = 9th = 270 s from the save.
	if saved.P90 != 270 {
		t.Fatalf("P90 from received_at = %v, want 270", saved.P90)
	}
	if called.P90 != saved.P90+handling.Seconds() {
		t.Errorf("P90 from call_received_at = %v, want %v (moved by the %v of call handling)", called.P90, saved.P90+handling.Seconds(), handling)
	}
	r := FromIncident(&cc112.Incident{ReceivedAt: t0, CallReceivedAt: at(-45), DispatchedAt: at(30), Status: cc112.IncidentDispatched})
	if r.Values[Processing] != (Value{Seconds: 75, State: OK}) || !r.ReceivedAt.Equal(t0) {
		t.Errorf("processing = %+v, received_at = %v; want 75 s from the call, received_at kept", r.Values[Processing], r.ReceivedAt)
	}
}

// TestCancelledIsNoResponse: a cancelled incident (a false alarm) counts in
// no figure and no export; reopened, it counts again.
func TestCancelledIsNoResponse(t *testing.T) {
	x := NewIndex(cc112.WIB)
	x.Put(rec("a", "fire", "Genteng", []string{"damkar"}, 0, 60, 60, 200))
	c := Record{ID: "c", Category: "fire", District: "Genteng", ReceivedAt: t0, Cancelled: true,
		Values: Measure(Timeline{Received: t0, Dispatched: at(20)})}
	x.Put(c)
	rep, _ := x.Report(context.Background(), Query{}, DefaultTargets())
	if o := rep.Overall; o.Count != 1 || o.Missing != 0 || o.Processing.Count != 1 || o.Processing.P90 != 60 {
		t.Fatalf("with a cancelled incident: %+v", o)
	}
	n := 0
	if err := x.Export(context.Background(), Query{}, func(recs []Record) error { n += len(recs); return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("export holds %d records, want 1", n)
	}
	c.Cancelled, c.Open = false, true
	c.Values = Measure(Timeline{Received: t0, Dispatched: at(20), Open: true})
	x.Put(c)
	if rep, _ := x.Report(context.Background(), Query{}, DefaultTargets()); rep.Overall.Count != 2 || rep.OpenNow != 1 {
		t.Fatalf("reopened: count %d open %d", rep.Overall.Count, rep.OpenNow)
	}
}
