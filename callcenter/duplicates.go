package callcenter

import (
	"math"
	"sort"
	"time"

	"cc112"
	"cc112/geo"
)

// Duplicate search bounds: the same emergency reported by several callers
// comes from within a few hundred metres and within the half hour.
const (
	DuplicateRadiusM = 500
	DuplicateWindow  = 30 * time.Minute
)

// compatible lists, beside the category itself, the categories a caller
// may well use for the same event: a gas leak that caught fire, a crash
// reported as an injured person, a storm's fallen trees. Symmetric.
var compatible = map[cc112.Category][]cc112.Category{
	cc112.CatFire:            {cc112.CatGasLeak},
	cc112.CatGasLeak:         {cc112.CatFire},
	cc112.CatTrafficAccident: {cc112.CatMedical},
	cc112.CatMedical:         {cc112.CatTrafficAccident, cc112.CatMentalHealth},
	cc112.CatMentalHealth:    {cc112.CatMedical},
	cc112.CatTornado:         {cc112.CatFallenTree, cc112.CatInfrastructure},
	cc112.CatFallenTree:      {cc112.CatTornado, cc112.CatFlood},
	cc112.CatFlood:           {cc112.CatFallenTree},
	cc112.CatInfrastructure:  {cc112.CatTornado},
	cc112.CatSocialConflict:  {cc112.CatCrime},
	cc112.CatCrime:           {cc112.CatSocialConflict},
}

// Compatible reports whether reports of categories a and b may be the same
// event.
func Compatible(a, b cc112.Category) bool {
	if a == b {
		return true
	}
	for _, c := range compatible[a] {
		if c == b {
			return true
		}
	}
	return false
}

// Duplicate is an incident that a new report may be about.
type Duplicate struct {
	*cc112.Incident
	DistanceM float64 `json:"distance_m"`
}

// Duplicates lists active incidents within DuplicateRadiusM of p, received
// within DuplicateWindow, of a category compatible with cat ("" matches
// any), nearest first.
func (s *Service) Duplicates(p geo.Point, cat cc112.Category) ([]Duplicate, error) {
	if err := cc112.CheckPoint(p); err != nil {
		return nil, err
	}
	if cat != "" {
		if _, ok := cc112.DefaultResponsePlan()[cat]; !ok {
			return nil, cc112.Errorf(cc112.EInvalid, "unknown category %q", cat)
		}
	}
	list, err := s.eng.IncidentsInMemory("active")
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []Duplicate{}
	for _, inc := range list {
		if now.Sub(inc.ReceivedAt) > DuplicateWindow || (cat != "" && !Compatible(cat, inc.Category)) {
			continue
		}
		if d := geo.Haversine(p, inc.Location); d <= DuplicateRadiusM {
			out = append(out, Duplicate{Incident: inc, DistanceM: math.Round(d)})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].DistanceM < out[b].DistanceM })
	return out, nil
}
