package citysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"

	"cc112"
	"cc112/geo"
	"cc112/kpi"
)

// CityShape is the city drawn for the report's map: kecamatan outlines
// and stations as SVG, in a 1000-unit-wide frame.
type CityShape struct {
	W, H      float64
	Districts []string // SVG path data
	Posts     [][2]float64
	minLon    float64
	maxLat    float64
	scale     float64
	kx        float64
}

// ShapeOf projects the districts and stations (equirectangular, scaled at
// the city's latitude: fine for a city's few tens of kilometres).
func ShapeOf(ds *geo.Districts, stations []cc112.Station) *CityShape {
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, d := range ds.All() {
		b := d.Geometry.Bound()
		minLon, minLat = min(minLon, b.Min.Lon()), min(minLat, b.Min.Lat())
		maxLon, maxLat = max(maxLon, b.Max.Lon()), max(maxLat, b.Max.Lat())
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	c := &CityShape{minLon: minLon, maxLat: maxLat, kx: kx}
	c.scale = 1000 / ((maxLon - minLon) * kx)
	c.W, c.H = 1000, math.Ceil((maxLat-minLat)*c.scale)
	for _, d := range ds.All() {
		var b strings.Builder
		for _, poly := range d.Geometry {
			for _, ring := range poly {
				for i, pt := range ring {
					x, y := c.xy(geo.Point{Lat: pt.Lat(), Lon: pt.Lon()})
					cmd := "L"
					if i == 0 {
						cmd = "M"
					}
					fmt.Fprintf(&b, "%s%.1f %.1f", cmd, x, y)
				}
				b.WriteString("Z")
			}
		}
		c.Districts = append(c.Districts, b.String())
	}
	for _, s := range stations {
		x, y := c.xy(s.Location)
		c.Posts = append(c.Posts, [2]float64{x, y})
	}
	return c
}

func (c *CityShape) xy(p geo.Point) (x, y float64) {
	return math.Round((p.Lon-c.minLon)*c.kx*c.scale*10) / 10, math.Round((c.maxLat-p.Lat)*c.scale*10) / 10
}

type htmlPolicy struct {
	PolicySummary
	Comparison *Comparison
	Use        map[string]float64
	LatePoints [][2]float64 // the first seed's late calls on the map
	LateSeed   uint64
}

type htmlRow struct {
	Key    string
	Values []string
}

// htmlGroup is a table of one breakdown: per key, each policy's share
// within target and P90, means over the seeds.
type htmlGroup struct {
	By   string
	Rows []htmlRow
}

func groupTable(by string, sum *Summary, byPolicy map[string][]*Result) htmlGroup {
	g := htmlGroup{By: by}
	var keys []string
	seen := map[string]bool{}
	for _, ps := range sum.Policies {
		for _, r := range byPolicy[ps.Policy] {
			for _, s := range r.Groups[by] {
				if !seen[s.Key] {
					seen[s.Key] = true
					keys = append(keys, s.Key)
				}
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		row := htmlRow{Key: k}
		for _, ps := range sum.Policies {
			rs := byPolicy[ps.Policy]
			within, p90 := 0.0, 0.0
			for _, r := range rs {
				for _, s := range r.Groups[by] {
					if s.Key == k {
						within += s.WithinTarget / float64(len(rs))
						p90 += s.P90 / float64(len(rs))
					}
				}
			}
			row.Values = append(row.Values, fmt.Sprintf("%.0f%% · %.1f", within*100, p90/60))
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

type htmlPage struct {
	Sum      *Summary
	Policies []htmlPolicy
	Types    []string
	Groups   []htmlGroup
	City     *CityShape
	Plots    bool
	UPlotJS  template.JS
	UPlotCSS template.CSS
	Data     template.JS
}

// hourly is the mean over a policy's seeds of each hour's figure.
func hourly(runs []*Result, pick func(kpi.Set) float64) []float64 {
	out := make([]float64, 24)
	for _, r := range runs {
		for _, s := range r.Groups[kpi.ByHour] {
			if h, err := strconv.Atoi(s.Key); err == nil && h >= 0 && h < 24 {
				out[h] += pick(s) / float64(len(runs))
			}
		}
	}
	for h := range out {
		out[h] = math.Round(out[h]*1000) / 1000
	}
	return out
}

func renderHTML(sum *Summary, runs []*Result, city *CityShape, assets Assets) ([]byte, error) {
	byPolicy := map[string][]*Result{}
	for _, r := range runs {
		byPolicy[r.Policy] = append(byPolicy[r.Policy], r)
	}
	page := htmlPage{Sum: sum, City: city, Plots: len(assets.UPlotJS) > 0,
		UPlotJS: template.JS(assets.UPlotJS), UPlotCSS: template.CSS(assets.UPlotCSS)}
	data := map[string]any{"hours": []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}}
	var series []map[string]any
	for _, t := range cc112.UnitTypes {
		page.Types = append(page.Types, string(t))
	}
	for i, ps := range sum.Policies {
		rs := byPolicy[ps.Policy]
		hp := htmlPolicy{PolicySummary: ps, Use: map[string]float64{}}
		if i > 0 {
			hp.Comparison = &sum.Comparison[i-1]
		}
		for _, r := range rs {
			for t, v := range r.UtilisationByType {
				hp.Use[t] += v / float64(len(rs))
			}
		}
		for t, v := range hp.Use {
			hp.Use[t] = math.Round(v*1000) / 10
		}
		if len(rs) > 0 && city != nil {
			hp.LateSeed = rs[0].Seed
			for _, c := range rs[0].LateCalls {
				x, y := city.xy(c.Location)
				hp.LatePoints = append(hp.LatePoints, [2]float64{x, y})
			}
		}
		page.Policies = append(page.Policies, hp)
		series = append(series, map[string]any{
			"policy": ps.Policy,
			"within": hourly(rs, func(s kpi.Set) float64 { return s.WithinTarget * 100 }),
			"p90":    hourly(rs, func(s kpi.Set) float64 { return s.P90 / 60 }),
		})
	}
	for _, by := range []string{kpi.ByAgency, kpi.ByCategory, kpi.ByDistrict} {
		page.Groups = append(page.Groups, groupTable(by, sum, byPolicy))
	}
	data["series"] = series
	js, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	page.Data = template.JS(js)
	var b bytes.Buffer
	if err := reportPage.Execute(&b, page); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) },
	"min": func(v float64) string { return fmt.Sprintf("%.1f", v/60) },
	"seeds": func(s []uint64) string {
		if len(s) == 1 {
			return fmt.Sprint(s[0])
		}
		return fmt.Sprintf("%d–%d (%d seeds)", s[0], s[len(s)-1], len(s))
	},
	"ci": func(c *Comparison) string {
		if c.CI95 == nil {
			return "—"
		}
		return fmt.Sprintf("%.1f%% … %.1f%%", c.CI95[0]*100, c.CI95[1]*100)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>City simulation — response to the 7.4-minute target</title>
<style>{{.UPlotCSS}}
body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;padding:1.5rem;max-width:1400px;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}th,td{padding:.3rem .7rem;border-bottom:1px solid #d0d7de;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f5f7;white-space:nowrap}.good{color:#116329;font-weight:600}.bad{color:#a40e26;font-weight:600}
.note{color:#57606a;max-width:70rem}.maps{display:flex;flex-wrap:wrap;gap:1rem}.maps figure{margin:0;flex:1 1 420px}
svg{width:100%;height:auto;border:1px solid #d0d7de;background:#f8fafc}.plots{display:flex;flex-wrap:wrap;gap:1.5rem}
.scroll{overflow-x:auto}
</style></head><body>
<h1>City simulation: response to the {{min .Sum.TargetS}}-minute target</h1>
<p class="note">{{.Sum.Scenario.Workload}}, {{.Sum.Scenario.CallsPerDay}} calls a day (demand ×{{.Sum.Scenario.Demand}}, hourly profile: {{.Sum.Scenario.Hourly}}),
{{.Sum.Scenario.Days}} simulated days, {{.Sum.Scenario.Units}} units{{if .Sum.Scenario.Fewer}} ({{.Sum.Scenario.Fewer}} fewer){{end}},
{{if .Sum.Scenario.Roads}}drives on the road network{{else}}straight-line drive times{{end}}; seeds {{seeds .Sum.Seeds}}.
Response = call received → first unit on scene (the supervisor's KPI code), percentiles by nearest rank.</p>
<h2>Policies</h2>
<div class="scroll"><table><tr><th>policy</th><th>calls</th><th>P50 (min)</th><th>P90 (min)</th><th>mean (min)</th><th>within target</th><th>late</th><th>late vs {{(index .Policies 0).Policy}}</th><th>95% CI, paired by seed</th></tr>
{{range .Policies}}<tr><td>{{.Policy}}</td><td>{{.Calls}}</td><td>{{min .P50}}</td><td>{{min .P90}}</td><td>{{min .Mean}}</td><td>{{pct .WithinTarget}}</td><td>{{.Late}}</td>
<td>{{with .Comparison}}<span class="{{if ge .LateReduction 0.1}}good{{else}}bad{{end}}">{{pct .LateReduction}} fewer</span>{{else}}baseline{{end}}</td><td>{{with .Comparison}}{{ci .}}{{end}}</td></tr>
{{end}}</table></div>
<h2>By hour (WIB), mean over seeds</h2>
{{if .Plots}}<div class="plots"><div id="within"></div><div id="p90"></div></div>{{else}}<p class="note">Plots need uPlot, which was not built in: run ./scripts/web.sh and build citysim again. The figures are in groups.csv.</p>{{end}}
<h2>Unit utilisation by type (% of the time busy, mean over seeds)</h2>
<table><tr><th>policy</th>{{range .Types}}<th>{{.}}</th>{{end}}</tr>
{{range $p := .Policies}}<tr><td>{{$p.Policy}}</td>{{range $.Types}}<td>{{index $p.Use .}}</td>{{end}}</tr>{{end}}</table>
{{if .City}}<h2>Late calls on the map (first seed of each policy)</h2>
<div class="maps">{{range $p := .Policies}}<figure><figcaption>{{$p.Policy}}: {{len $p.LatePoints}} late calls, seed {{$p.LateSeed}} (red); stations (black squares)</figcaption>
<svg viewBox="0 0 {{$.City.W}} {{$.City.H}}" role="img" aria-label="late calls of {{$p.Policy}}">
{{range $.City.Districts}}<path d="{{.}}" fill="#e9eef3" stroke="#8c959f" stroke-width="1"/>{{end}}
{{range $p.LatePoints}}<circle cx="{{index . 0}}" cy="{{index . 1}}" r="3" fill="#cf222e" fill-opacity=".45"/>{{end}}
{{range $.City.Posts}}<rect x="{{index . 0}}" y="{{index . 1}}" width="9" height="9" transform="translate(-4.5 -4.5)" fill="#1b1f24"/>{{end}}
</svg></figure>{{end}}</div>{{end}}
{{range $g := .Groups}}<h2>By {{$g.By}}: share within target · P90 in minutes (mean over seeds)</h2>
<div class="scroll"><table><tr><th>{{$g.By}}</th>{{range $.Policies}}<th>{{.Policy}}</th>{{end}}</tr>
{{range $g.Rows}}<tr><td>{{.Key}}</td>{{range .Values}}<td>{{.}}</td>{{end}}</tr>{{end}}</table></div>{{end}}
<p class="note">Files: summary.json, runs.json (every run's KPI groups by agency, category, kecamatan and hour, units, late calls), groups.csv, units.csv, late_calls.csv.</p>
{{if .Plots}}<script type="module">
{{.UPlotJS}}
const data = {{.Data}};
const colors = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bf8700'];
function plot(id, title, key, unit) {
  const el = document.getElementById(id);
  const width = Math.min(660, document.body.clientWidth - 40);
  new uPlot({
    title, width, height: 320,
    scales: {x: {time: false}},
    axes: [{label: 'hour (WIB)'}, {label: unit}],
    series: [{label: 'hour'}, ...data.series.map((s, i) => ({label: s.policy, stroke: colors[i % colors.length], width: 2}))],
  }, [data.hours, ...data.series.map(s => s[key])], el);
}
plot('within', 'Share within target', 'within', '%');
plot('p90', 'P90 response', 'p90', 'minutes');
</script>{{end}}
</body></html>
`))
