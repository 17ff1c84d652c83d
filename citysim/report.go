package citysim

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"cc112/kpi"
)

// Report files, in the folder WriteReport is given.
const (
	SummaryFile   = "summary.json"
	GroupsFile    = "groups.csv"
	UnitsFile     = "units.csv"
	LateCallsFile = "late_calls.csv"
	RunsFile      = "runs.json"
	HTMLFile      = "index.html"
)

// Assets are what the HTML report inlines to draw its plots: uPlot's ES
// module and style (the console's vendored copy). Empty: the report has
// its tables and map but no plots, and says so.
type Assets struct {
	UPlotJS, UPlotCSS []byte
}

// WriteReport writes the study's report into dir: summary.json, the
// per-run figures (runs.json), CSV files (KPI groups, unit utilisation,
// late calls) and index.html with plots and the late calls on a map. The
// same study gives the same bytes.
func WriteReport(dir string, sum *Summary, results map[string][]*Result, city *CityShape, assets Assets) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		return err
	}
	runs := make([]*Result, 0)
	for _, p := range sum.Policies {
		runs = append(runs, results[p.Policy]...)
	}
	runsJS, err := json.MarshalIndent(runs, "", " ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		SummaryFile:   append(js, '\n'),
		RunsFile:      append(runsJS, '\n'),
		GroupsFile:    groupsCSV(runs),
		UnitsFile:     unitsCSV(runs),
		LateCallsFile: lateCSV(runs),
	}
	page, err := renderHTML(sum, runs, city, assets)
	if err != nil {
		return err
	}
	files[HTMLFile] = page
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func f(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func writeCSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	return b.Bytes()
}

func groupsCSV(runs []*Result) []byte {
	rows := [][]string{{"policy", "seed", "group_by", "key", "count", "with_response", "p50_s", "p90_s", "mean_s", "within_target"}}
	for _, r := range runs {
		rows = append(rows, groupRow(r, "all", kpi.Set{Figures: r.Response}))
		for _, by := range []string{kpi.ByAgency, kpi.ByCategory, kpi.ByDistrict, kpi.ByHour} {
			for _, s := range r.Groups[by] {
				rows = append(rows, groupRow(r, by, s))
			}
		}
	}
	return writeCSV(rows)
}

func groupRow(r *Result, by string, s kpi.Set) []string {
	return []string{r.Policy, fmt.Sprint(r.Seed), by, s.Key, fmt.Sprint(s.Count), fmt.Sprint(s.WithResponse),
		f(s.P50), f(s.P90), f(s.Mean), f(s.WithinTarget)}
}

func unitsCSV(runs []*Result) []byte {
	rows := [][]string{{"policy", "seed", "unit_id", "callsign", "type", "utilisation"}}
	for _, r := range runs {
		for _, u := range r.Units {
			rows = append(rows, []string{r.Policy, fmt.Sprint(r.Seed), u.UnitID, u.Callsign, u.Type, f(u.Utilisation)})
		}
	}
	return writeCSV(rows)
}

func lateCSV(runs []*Result) []byte {
	rows := [][]string{{"policy", "seed", "number", "category", "priority", "district", "lat", "lon", "response_s"}}
	for _, r := range runs {
		for _, c := range r.LateCalls {
			rows = append(rows, []string{r.Policy, fmt.Sprint(r.Seed), c.Number, c.Category, fmt.Sprint(c.Priority), c.District,
				f(c.Location.Lat), f(c.Location.Lon), f(c.ResponseS)})
		}
	}
	return writeCSV(rows)
}
