// Package citysim is a discrete-event simulation of the city against the
// real dispatch engine: calls arrive as the city's 112 log has them, the
// engine's own ranking and commands dispatch units (through a Policy),
// units drive, work on scene and take patients to hospital, and the
// engine's incidents are measured with the supervisor's KPI code. The
// engine runs in process on an in-memory journal with a simulated clock,
// so a simulated year takes minutes.
package citysim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"cc112"
)

// Workload is what the city asks of the center: yearly calls per engine
// category, when in the day they come and where.
type Workload struct {
	// Name says where the figures come from.
	Name string `json:"name"`
	// PerYear is calls per year by engine category.
	PerYear map[cc112.Category]float64 `json:"per_year"`
	// Hourly are relative weights of the 24 WIB hours (any scale).
	Hourly [24]float64 `json:"hourly"`
	// HourlySource says where Hourly came from.
	HourlySource string `json:"hourly_source"`
	// Districts weighs kecamatan by name (missing or nil: equal weights).
	Districts map[string]float64 `json:"districts,omitempty"`
	// Demand multiplies every rate (2 is a flood day's doubled demand).
	Demand float64 `json:"demand"`
}

// Surabaya's 112 figures, mapped to the engine's categories. The city's
// categories map one to one except "bodies found" (penemuan mayat), which
// the engine has no category for: the police attend, so it is "other"
// (response plan: police).
var (
	// Surabaya2023: 14,666 incidents — medical 6,372, traffic 6,317,
	// fire 1,000, bodies 231, fallen trees 226, animals 131 (the six add up
	// to 14,277; the 389 others are not broken down and are left out).
	Surabaya2023 = map[cc112.Category]float64{
		cc112.CatMedical: 6372, cc112.CatTrafficAccident: 6317, cc112.CatFire: 1000,
		cc112.CatOther: 231, cc112.CatFallenTree: 226, cc112.CatAnimal: 131,
	}
	// Surabaya2025: about 18,700 — medical 9,848, traffic 7,318, fire
	// 511; the other 1,023 are split as 2023's bodies, trees and animals
	// (231 : 226 : 131).
	Surabaya2025 = map[cc112.Category]float64{
		cc112.CatMedical: 9848, cc112.CatTrafficAccident: 7318, cc112.CatFire: 511,
		cc112.CatOther: 1023 * 231.0 / 588, cc112.CatFallenTree: 1023 * 226.0 / 588, cc112.CatAnimal: 1023 * 131.0 / 588,
	}
)

// DefaultHourly is the default daily profile: a quiet night (02–05 WIB at
// a third of the peak), a morning rise with the commute and a broad
// afternoon and early-evening peak, as urban emergency call volumes have
// it. Replace it with one learned from a history (HourlyFromCSV).
var DefaultHourly = [24]float64{
	0.55, 0.45, 0.38, 0.35, 0.36, 0.45, 0.65, 0.85, 0.95, 1.0, 1.0, 1.0,
	1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.98, 0.95, 0.9, 0.8, 0.7, 0.62,
}

// NewWorkload returns a workload from yearly counts with the default
// hourly profile, equal kecamatan weights and normal demand.
func NewWorkload(name string, perYear map[cc112.Category]float64) Workload {
	m := make(map[cc112.Category]float64, len(perYear))
	for k, v := range perYear {
		m[k] = v
	}
	return Workload{Name: name, PerYear: m, Hourly: DefaultHourly, HourlySource: "default", Demand: 1}
}

// Validate refuses rates and weights that cannot drive a simulation.
func (w *Workload) Validate(plan cc112.ResponsePlan) error {
	total := 0.0
	for c, v := range w.PerYear {
		if _, ok := plan[c]; !ok {
			return fmt.Errorf("workload: category %q has no response plan", c)
		}
		if v < 0 {
			return fmt.Errorf("workload: %s: negative rate", c)
		}
		total += v
	}
	if total <= 0 {
		return errors.New("workload: no calls")
	}
	sum := 0.0
	for h, v := range w.Hourly {
		if v < 0 {
			return fmt.Errorf("workload: hour %02d: negative weight", h)
		}
		sum += v
	}
	if sum <= 0 {
		return errors.New("workload: the hourly profile is all zero")
	}
	if w.Demand <= 0 {
		return errors.New("workload: demand must be positive")
	}
	return nil
}

// RatePerHour is the expected number of calls in WIB hour h of a day.
func (w *Workload) RatePerHour(h int) float64 {
	total := 0.0
	for _, v := range w.PerYear {
		total += v
	}
	sum := 0.0
	for _, v := range w.Hourly {
		sum += v
	}
	return total / 365 * w.Hourly[h] / sum * w.Demand
}

// HourlyFromCSV learns the hourly profile from a history export: the
// receiving times in column received_at (ISO 8601 without zone, local
// time, as the Sumenep 112 export) or "Received DtTm" (MM/DD/YYYY
// hh:mm:ss AM, as San Francisco's CAD export). Times are the city's local
// clock, so the hour is taken as written. Rows whose time does not parse
// are counted in bad, never silently dropped; hours with no call keep a
// small floor so the arrival process never stops.
func HourlyFromCSV(r io.Reader) (profile [24]float64, rows, bad int, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return profile, 0, 0, fmt.Errorf("hourly profile: %w", err)
	}
	col, layout := -1, ""
	for i, h := range head {
		switch strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")) {
		case "received_at":
			col, layout = i, "2006-01-02T15:04:05"
		case "Received DtTm":
			col, layout = i, "01/02/2006 03:04:05 PM"
		}
		if col >= 0 {
			break
		}
	}
	if col < 0 {
		return profile, 0, 0, errors.New("hourly profile: no received_at or \"Received DtTm\" column")
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return profile, rows, bad, fmt.Errorf("hourly profile: %w", err)
		}
		if col >= len(rec) {
			bad++
			continue
		}
		t, err := time.Parse(layout, strings.TrimSpace(rec[col]))
		if err != nil {
			bad++
			continue
		}
		rows++
		profile[t.Hour()]++
	}
	if rows == 0 {
		return profile, rows, bad, errors.New("hourly profile: no row with a readable time")
	}
	floor := float64(rows) / 24 * 0.05
	for h := range profile {
		profile[h] = max(profile[h], floor)
	}
	return profile, rows, bad, nil
}

// DistrictWeightsCSV reads kecamatan weights (population, say) from a CSV
// with a header naming columns "kecamatan" (or "district") and "weight"
// (or "population").
func DistrictWeightsCSV(r io.Reader) (map[string]float64, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("district weights: %w", err)
	}
	name, weight := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case "kecamatan", "district":
			name = i
		case "weight", "population":
			weight = i
		}
	}
	if name < 0 || weight < 0 {
		return nil, errors.New("district weights: need columns kecamatan and weight (or district, population)")
	}
	out := map[string]float64{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("district weights: %w", err)
		}
		var v float64
		if _, err := fmt.Sscan(strings.TrimSpace(rec[weight]), &v); err != nil || v < 0 {
			return nil, fmt.Errorf("district weights: line %d: weight %q is not a number ≥ 0", line, rec[weight])
		}
		out[strings.TrimSpace(rec[name])] = v
	}
	return out, nil
}
