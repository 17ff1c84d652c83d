package kpi

import (
	"fmt"
	"math"
	"time"

	"cc112"
)

// ETAError summarises predicted against actual travel times: how many
// arrivals, the median absolute percentage error, and the median of actual
// minus predicted (positive: units arrive later than promised). Medians
// are nearest-rank, like every percentile of the reports.
type ETAError struct {
	N             int     `json:"n"`
	MdAPE         float64 `json:"mdape_pct"`
	MedianErrorS  float64 `json:"median_error_s"`
	MedianActualS float64 `json:"median_actual_s"`
}

// ETAReport is the predicted-vs-actual report of GET /api/v1/metrics/eta:
// over every arrival with a prediction, by WIB hour of dispatch ("00" to
// "23"), by unit type and by method (road, straight).
type ETAReport struct {
	From     *time.Time          `json:"from,omitempty"`
	To       *time.Time          `json:"to,omitempty"`
	All      ETAError            `json:"all"`
	ByHour   map[string]ETAError `json:"by_hour"`
	ByType   map[string]ETAError `json:"by_type"`
	ByMethod map[string]ETAError `json:"by_method"`
}

// ETAErrors compares, for each assignment that arrived and had an ETA
// predicted at dispatch, the prediction with the travel it measured: en
// route → on scene, or dispatched → on scene when the unit never said it
// was en route. Dispatches in [from, to) count (zero: unbounded).
func ETAErrors(incs []*cc112.Incident, from, to time.Time, loc *time.Location) ETAReport {
	type obs struct{ pred, act float64 }
	all := []obs{}
	byHour, byType, byMethod := map[string][]obs{}, map[string][]obs{}, map[string][]obs{}
	for _, inc := range incs {
		for _, a := range inc.Assignments {
			if a.PredictedETAS <= 0 || a.OnsceneAt == nil ||
				(!from.IsZero() && a.DispatchedAt.Before(from)) || (!to.IsZero() && !a.DispatchedAt.Before(to)) {
				continue
			}
			start := a.DispatchedAt
			if a.EnrouteAt != nil {
				start = *a.EnrouteAt
			}
			act := a.OnsceneAt.Sub(start).Seconds()
			if act <= 0 {
				continue
			}
			o := obs{a.PredictedETAS, act}
			all = append(all, o)
			h := fmt.Sprintf("%02d", a.DispatchedAt.In(loc).Hour())
			byHour[h] = append(byHour[h], o)
			byType[string(a.Type)] = append(byType[string(a.Type)], o)
			m := a.ETAMethod
			if m == "" {
				m = "unknown"
			}
			byMethod[m] = append(byMethod[m], o)
		}
	}
	sum := func(list []obs) ETAError {
		e := ETAError{N: len(list)}
		if len(list) == 0 {
			return e
		}
		ape, diff, act := make([]float64, len(list)), make([]float64, len(list)), make([]float64, len(list))
		for i, o := range list {
			ape[i] = math.Abs(o.act-o.pred) / o.act * 100
			diff[i], act[i] = o.act-o.pred, o.act
		}
		e.MdAPE = math.Round(Percentile(ape, 50)*10) / 10
		e.MedianErrorS, e.MedianActualS = math.Round(Percentile(diff, 50)), math.Round(Percentile(act, 50))
		return e
	}
	rep := ETAReport{All: sum(all), ByHour: map[string]ETAError{}, ByType: map[string]ETAError{}, ByMethod: map[string]ETAError{}}
	for k, v := range byHour {
		rep.ByHour[k] = sum(v)
	}
	for k, v := range byType {
		rep.ByType[k] = sum(v)
	}
	for k, v := range byMethod {
		rep.ByMethod[k] = sum(v)
	}
	if !from.IsZero() {
		rep.From = &from
	}
	if !to.IsZero() {
		rep.To = &to
	}
	return rep
}
