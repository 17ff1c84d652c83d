package citysim

import (
	"context"
	"fmt"
	"math"
	"slices"

	"cc112/kpi"
)

// Study runs every policy on the same seeds and compares them.
type Study struct {
	Base     Config   // Policy and Seed are set per run
	Policies []Policy // the first is the baseline of the comparison
	Seeds    []uint64
	// Progress, when set, hears of each finished run.
	Progress func(*Result)
}

// Summary is summary.json.
type Summary struct {
	Scenario Scenario `json:"scenario"`
	Seeds    []uint64 `json:"seeds"`
	TargetS  float64  `json:"target_s"`
	// Policies in the order given, pooled over the seeds.
	Policies []PolicySummary `json:"policies"`
	// Comparison of each policy with the first (the baseline).
	Comparison []Comparison `json:"comparison"`
}

// Scenario is what was simulated.
type Scenario struct {
	Days        float64 `json:"days"`
	Workload    string  `json:"workload"`
	CallsPerDay float64 `json:"calls_per_day"`
	Demand      float64 `json:"demand"`
	Hourly      string  `json:"hourly"`
	Units       int     `json:"units"`
	Fewer       int     `json:"fewer"`
	Roads       bool    `json:"roads"`
	OwnPosts    bool    `json:"own_posts"`
	ProcessingS float64 `json:"processing_s"`
	TurnoutS    float64 `json:"turnout_s"`
}

// PolicySummary is one policy's figures pooled over every seed's calls
// (late is their sum), with each seed's own.
type PolicySummary struct {
	Policy       string      `json:"policy"`
	Calls        int         `json:"calls"`
	P50          float64     `json:"p50_s"`
	P90          float64     `json:"p90_s"`
	Mean         float64     `json:"mean_s"`
	WithinTarget float64     `json:"within_target"`
	Late         int         `json:"late"`
	Seeds        []uint64    `json:"seeds"`
	Runs         []RunFigure `json:"runs"`
}

// RunFigure is one seed's figures.
type RunFigure struct {
	Seed         uint64  `json:"seed"`
	Calls        int     `json:"calls"`
	P50          float64 `json:"p50_s"`
	P90          float64 `json:"p90_s"`
	WithinTarget float64 `json:"within_target"`
	Late         int     `json:"late"`
	Diverts      int     `json:"diverts"`
}

// Comparison is a policy against the baseline on the same seeds: the
// relative reduction of late calls, pooled and as the mean of the seeds'
// paired reductions with its 95% confidence interval (Student's t over
// the seeds; absent for one seed).
type Comparison struct {
	Policy        string      `json:"policy"`
	Baseline      string      `json:"baseline"`
	LateReduction float64     `json:"late_reduction"`
	MeanPaired    float64     `json:"mean_paired_reduction"`
	CI95          *[2]float64 `json:"ci95,omitempty"`
}

// Run runs the study: len(Policies) × len(Seeds) simulations, one after
// the other (each is single-threaded and deterministic).
func (st *Study) Run(ctx context.Context) (*Summary, map[string][]*Result, error) {
	if len(st.Policies) == 0 || len(st.Seeds) == 0 {
		return nil, nil, fmt.Errorf("citysim: a study needs a policy and a seed")
	}
	results := map[string][]*Result{}
	base := st.Base.withDefaults()
	sum := &Summary{Seeds: st.Seeds, TargetS: base.TargetS, Scenario: scenarioOf(base)}
	for _, p := range st.Policies {
		ps := PolicySummary{Policy: p.Name(), Seeds: st.Seeds}
		var all []float64
		within := 0
		for _, seed := range st.Seeds {
			cfg := st.Base
			cfg.Policy, cfg.Seed = p, seed
			res, err := Run(ctx, cfg)
			if err != nil {
				return nil, nil, fmt.Errorf("%s seed %d: %w", p.Name(), seed, err)
			}
			if st.Progress != nil {
				st.Progress(res)
			}
			results[p.Name()] = append(results[p.Name()], res)
			ps.Calls += res.Calls
			ps.Late += res.Late
			all = append(all, res.responses...)
			for _, v := range res.responses {
				if v <= cfg.TargetS {
					within++
				}
			}
			ps.Runs = append(ps.Runs, RunFigure{Seed: seed, Calls: res.Calls, P50: res.Response.P50, P90: res.Response.P90,
				WithinTarget: res.Response.WithinTarget, Late: res.Late, Diverts: res.Diverts})
		}
		if len(all) > 0 {
			total := 0.0
			for _, v := range all {
				total += v
			}
			ps.Mean = math.Round(total/float64(len(all))*10) / 10
			ps.WithinTarget = round4(float64(within) / float64(len(all)))
			ps.P50 = kpi.Percentile(all, 50)
			ps.P90 = kpi.Percentile(all, 90)
		}
		sum.Policies = append(sum.Policies, ps)
	}
	first := sum.Policies[0]
	for _, ps := range sum.Policies[1:] {
		c := Comparison{Policy: ps.Policy, Baseline: first.Policy}
		if first.Late > 0 {
			c.LateReduction = round4(1 - float64(ps.Late)/float64(first.Late))
		}
		var red []float64
		for k := range ps.Runs {
			if b := first.Runs[k].Late; b > 0 {
				red = append(red, 1-float64(ps.Runs[k].Late)/float64(b))
			}
		}
		mean, lo, hi, ok := meanCI95(red)
		c.MeanPaired = round4(mean)
		if ok {
			c.CI95 = &[2]float64{round4(lo), round4(hi)}
		}
		sum.Comparison = append(sum.Comparison, c)
	}
	return sum, results, nil
}

func scenarioOf(cfg Config) Scenario {
	perDay := 0.0
	for _, v := range cfg.Workload.PerYear {
		perDay += v
	}
	return Scenario{
		Days: cfg.Days, Workload: cfg.Workload.Name, CallsPerDay: math.Round(perDay/365*cfg.Workload.Demand*10) / 10,
		Demand: cfg.Workload.Demand, Hourly: cfg.Workload.HourlySource,
		Units: len(ReduceFleet(cfg.City.Units, cfg.Fewer)), Fewer: cfg.Fewer, Roads: cfg.Roads != nil, OwnPosts: cfg.OwnPosts,
		ProcessingS: cfg.ProcessingS, TurnoutS: cfg.TurnoutS,
	}
}

// meanCI95 is the mean of xs and its two-sided 95% confidence interval
// by Student's t (ok false with fewer than two values).
func meanCI95(xs []float64) (mean, lo, hi float64, ok bool) {
	n := len(xs)
	if n == 0 {
		return 0, 0, 0, false
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if n < 2 {
		return mean, 0, 0, false
	}
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	h := tQuantile975(n-1) * se
	return mean, mean - h, mean + h, true
}

// tQuantile975 is Student's t 97.5% quantile for df degrees of freedom
// (table to 30, then the normal's 1.96 with a 1/df correction).
func tQuantile975(df int) float64 {
	table := []float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df < len(table) {
		return table[max(df, 1)]
	}
	return 1.96 + 2.4/float64(df)
}

// Seeds returns n seeds from first on.
func Seeds(first uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return slices.Clip(out)
}
