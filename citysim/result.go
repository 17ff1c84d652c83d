package citysim

import (
	"context"
	"math"
	"slices"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/kpi"
)

// Result is one run measured: the engine's incidents through the
// supervisor's KPI code (kpi.Index), the late calls, the fleet's use.
type Result struct {
	Policy string  `json:"policy"`
	Seed   uint64  `json:"seed"`
	Days   float64 `json:"days"`
	Calls  int     `json:"calls"`
	// Late counts calls whose first unit arrived after the target, and
	// calls no unit reached (none: the simulation runs until every call is
	// served).
	Late     int         `json:"late"`
	Response kpi.Figures `json:"response"`
	// Groups are the KPI sets by category, agency, district and hour.
	Groups            map[string][]kpi.Set `json:"groups"`
	Units             []UnitUse            `json:"units"`
	UtilisationByType map[string]float64   `json:"utilisation_by_type"`
	LateCalls         []LateCall           `json:"late_calls"`
	Diverts           int                  `json:"diverts"`
	EngineEvents      uint64               `json:"engine_events"`
	// Wall is how long the run took on this machine (not in the report
	// files: they must be the same bytes for the same seed).
	Wall time.Duration `json:"-"`

	journal   *memJournal
	responses []float64 // every call's response time, for pooled figures
}

// UnitUse is the share of the simulated time a unit was busy (ordered
// until free again, drives to hospital included, the drive home not).
type UnitUse struct {
	UnitID      string  `json:"unit_id"`
	Callsign    string  `json:"callsign"`
	Type        string  `json:"type"`
	Utilisation float64 `json:"utilisation"`
}

// LateCall is a call answered after the target, for the map.
type LateCall struct {
	Number    string    `json:"number"`
	Category  string    `json:"category"`
	Priority  int       `json:"priority"`
	District  string    `json:"district"`
	Location  geo.Point `json:"location"`
	ResponseS float64   `json:"response_s"`
}

func (r *runner) result(wall time.Duration) (*Result, error) {
	// Every incident of the run, the archive's too (IncidentsInMemory
	// would miss those a history window let go).
	incs, err := r.eng.IncidentsReceived(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(incs, func(a, b *cc112.Incident) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	x := kpi.NewIndex(cc112.WIB)
	res := &Result{Policy: r.cfg.Policy.Name(), Seed: r.cfg.Seed, Days: r.cfg.Days, Calls: len(incs),
		Groups: map[string][]kpi.Set{}, UtilisationByType: map[string]float64{}, Diverts: r.diverts,
		EngineEvents: r.j.LastSeq(), Wall: wall, journal: r.j, LateCalls: []LateCall{}}
	for _, inc := range incs {
		rec := kpi.FromIncident(inc)
		x.Put(rec)
		v := rec.Values[kpi.Response]
		if v.State == kpi.OK {
			res.responses = append(res.responses, v.Seconds)
		}
		if v.State != kpi.OK || v.Seconds > r.cfg.TargetS {
			res.Late++
			res.LateCalls = append(res.LateCalls, LateCall{Number: inc.Number, Category: string(inc.Category),
				Priority: inc.Priority, District: inc.District, Location: inc.Location, ResponseS: v.Seconds})
		}
	}
	targets := kpi.DefaultTargets()
	targets.Response = secs(r.cfg.TargetS)
	rep, err := x.Report(context.Background(), kpi.Query{}, targets)
	if err != nil {
		return nil, err
	}
	res.Response = rep.Overall.Figures
	for _, by := range []string{kpi.ByCategory, kpi.ByAgency, kpi.ByDistrict, kpi.ByHour} {
		rep, err := x.Report(context.Background(), kpi.Query{GroupBy: by}, targets)
		if err != nil {
			return nil, err
		}
		res.Groups[by] = rep.Groups
	}
	horizon := r.clock.Now().Sub(r.cfg.Start).Seconds()
	byType, count := map[string]float64{}, map[string]int{}
	for _, id := range r.order {
		u := r.units[id]
		use := round4(u.busyFor.Seconds() / horizon)
		res.Units = append(res.Units, UnitUse{UnitID: id, Callsign: u.unit.Callsign, Type: string(u.unit.Type), Utilisation: use})
		byType[string(u.unit.Type)] += use
		count[string(u.unit.Type)]++
	}
	for t, v := range byType {
		res.UtilisationByType[t] = round4(v / float64(count[t]))
	}
	return res, nil
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// Events is the engine's journal of the run (Config.KeepLog), the log an
// independent computation checks the report against.
func (res *Result) Events() []cc112.Event {
	if res.journal == nil {
		return nil
	}
	return res.journal.Events()
}
