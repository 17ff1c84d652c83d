// Command citysim simulates the city against the real dispatch engine and
// compares dispatch policies on the same seeds (docs/simulation.md):
//
//	go run ./cmd/citysim -days 30 -seed 1 -policy closest,coverage -out report/
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"cc112/city"
	"cc112/citysim"
	"cc112/geo"
	"cc112/roads"
	"cc112/route"
	"cc112/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], slog.New(slog.NewTextHandler(os.Stderr, nil))); err != nil {
		fmt.Fprintln(os.Stderr, "citysim:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("citysim", flag.ContinueOnError)
	days := fs.Float64("days", 30, "simulated days")
	seed := fs.Uint64("seed", 1, "first random seed")
	seeds := fs.Int("seeds", 1, "how many seeds (seed, seed+1, …): every policy runs on each")
	policies := fs.String("policy", "closest", "dispatch policies to compare, comma-separated, the first is the baseline: "+fmt.Sprint(citysim.PolicyNames()))
	out := fs.String("out", "report", "folder for summary.json, runs.json, the CSV files and index.html")
	year := fs.Int("workload", 2025, "Surabaya 112's yearly figures to draw calls from: 2023 or 2025")
	demand := fs.Float64("demand", 1, "demand factor (2: a flood day's doubled calls)")
	fewer := fs.Int("fewer", 0, "take this many units out of the fleet (from the type with most units, repeatedly)")
	hourlyFrom := fs.String("hourly-from", "", "learn the hourly profile from a history CSV (received_at, or San Francisco's \"Received DtTm\")")
	weights := fs.String("weights", "", "kecamatan weights CSV (kecamatan,weight or district,population); default: equal")
	cityDir := fs.String("city", "", "a city pack folder (its districts, stations, units and plans; what it lacks comes from the demo city), e.g. ../shared/data for the real kecamatan boundaries")
	roadFile := fs.String("roads", "", "road network (GeoJSON of OSM ways or .osm.pbf): rank and drive units on it")
	ownPosts := fs.Bool("own-posts", false, "redeployment sends a unit only to its own agency's stations (default: any station)")
	busy := fs.Float64("busy", 0.3, "MEXCLP's q for the coverage policy: the chance a unit is busy")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *seeds < 1 || *days <= 0 || *demand <= 0 || *fewer < 0 {
		return fmt.Errorf("-seeds, -days and -demand must be positive, -fewer not negative")
	}
	ps, err := citysim.ParsePolicies(*policies)
	if err != nil {
		return err
	}
	cfg := citysim.DefaultConfig()
	cfg.Days, cfg.Fewer, cfg.Busy, cfg.OwnPosts = *days, *fewer, *busy, *ownPosts
	switch *year {
	case 2023:
		cfg.Workload = citysim.NewWorkload("Surabaya 112, 2023", citysim.Surabaya2023)
	case 2025:
	default:
		return fmt.Errorf("-workload must be 2023 or 2025, not %d", *year)
	}
	cfg.Workload.Demand = *demand
	if *hourlyFrom != "" {
		f, err := os.Open(*hourlyFrom)
		if err != nil {
			return err
		}
		profile, rows, bad, err := citysim.HourlyFromCSV(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *hourlyFrom, err)
		}
		cfg.Workload.Hourly, cfg.Workload.HourlySource = profile, fmt.Sprintf("%s (%d calls)", filepath.Base(*hourlyFrom), rows)
		if bad > 0 {
			log.Warn("hourly profile: rows without a readable time were left out", "file", *hourlyFrom, "rows", bad)
		}
	}
	if *cityDir != "" {
		pack, err := city.Load(*cityDir)
		if err != nil {
			return err
		}
		cfg.City = pack
		cfg.Hospitals = citysim.DemoHospitals(pack)
	}
	if *weights != "" {
		f, err := os.Open(*weights)
		if err != nil {
			return err
		}
		w, err := citysim.DistrictWeightsCSV(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *weights, err)
		}
		for _, d := range cfg.City.Districts.All() {
			if _, ok := w[d.Name]; !ok {
				return fmt.Errorf("%s: no weight for kecamatan %q", *weights, d.Name)
			}
		}
		cfg.Workload.Districts = w
	}
	if *roadFile != "" {
		g, err := roads.Load(*roadFile, roads.Box{})
		if err != nil {
			return err
		}
		cfg.Roads = route.New(g, route.Options{SnapM: 250, AccessKMH: 10, Straight: geo.DefaultETAModel()})
		log.Info("road network loaded", "nodes", g.Nodes(), "edges", g.Edges())
	}
	study := &citysim.Study{Base: cfg, Policies: ps, Seeds: citysim.Seeds(*seed, *seeds), Progress: func(r *citysim.Result) {
		log.Info("run", "policy", r.Policy, "seed", r.Seed, "calls", r.Calls, "late", r.Late, "p90_s", r.Response.P90,
			"within_target", r.Response.WithinTarget, "engine_events", r.EngineEvents, "took", r.Wall.Round(time.Millisecond))
	}}
	sum, results, err := study.Run(ctx)
	if err != nil {
		return err
	}
	var assets citysim.Assets
	assets.UPlotJS, _ = ui.VendorFile("uplot/uPlot.esm.js")
	assets.UPlotCSS, _ = ui.VendorFile("uplot/uPlot.min.css")
	if len(assets.UPlotJS) == 0 {
		log.Warn("uPlot is not built in (run ./scripts/web.sh first): the HTML report has no plots")
	}
	if err := citysim.WriteReport(*out, sum, results, citysim.ShapeOf(cfg.City.Districts, cfg.City.Stations), assets); err != nil {
		return err
	}
	for _, p := range sum.Policies {
		fmt.Printf("%-9s calls %6d  P50 %4.0f s  P90 %4.0f s  within %5.1f%%  late %6d\n", p.Policy, p.Calls, p.P50, p.P90, p.WithinTarget*100, p.Late)
	}
	for _, c := range sum.Comparison {
		ci := ""
		if c.CI95 != nil {
			ci = fmt.Sprintf(" (95%% CI of the paired mean %.1f%% … %.1f%%)", c.CI95[0]*100, c.CI95[1]*100)
		}
		fmt.Printf("%s vs %s: %.1f%% fewer late calls%s\n", c.Policy, c.Baseline, c.LateReduction*100, ci)
	}
	fmt.Printf("report: %s\n", filepath.Join(*out, citysim.HTMLFile))
	return nil
}
