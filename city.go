package cc112

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cc112/geo"
)

// Agency is one agency (OPD) of the city: units and stations belong to
// one, complaints are forwarded to its complaint team.
type Agency struct {
	Code          string `json:"code" yaml:"code"`
	Name          string `json:"name" yaml:"name"`
	Phone         string `json:"phone,omitempty" yaml:"phone,omitempty"`
	ComplaintTeam string `json:"complaint_team,omitempty" yaml:"complaint_team,omitempty"`
}

// AlarmLevelCount is how many alarm levels a category's plan has: level 1
// is the response plan, levels 2 and 3 what raising the alarm adds.
const AlarmLevelCount = 3

// CategoryPlan is the response plan of one category: the needs of each
// alarm level, Levels[0] being level 1.
type CategoryPlan struct {
	Category Category                `json:"category"`
	Levels   [AlarmLevelCount][]Need `json:"levels"`
}

// City is the configuration a city keeps and edits: its agencies,
// stations, units and response plans (the city pack's fleet files, and
// what the admin API changes live).
type City struct {
	Agencies []Agency       `json:"agencies"`
	Stations []Station      `json:"stations"`
	Units    []Unit         `json:"units"`
	Plans    []CategoryPlan `json:"plans"`
}

// Kinds of a city's entries, named by CityProblem.Kind.
const (
	KindAgency  = "agency"
	KindStation = "station"
	KindUnit    = "unit"
	KindPlan    = "plan"
)

// CityProblem is one thing wrong with a city: the entry (Kind and Key, its
// code, id or category; Need "L.i" for the i-th need of level L of a
// plan), the field and what is wrong. The city pack maps it to its file
// and line; the admin API answers it.
type CityProblem struct {
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Need    string `json:"need,omitempty"`
	Field   string `json:"field"`
	Problem string `json:"problem"`
	// Index is the entry's place in its list (the pack's row).
	Index int `json:"-"`
}

func (p CityProblem) String() string {
	where := p.Kind + " " + p.Key
	if p.Need != "" {
		where += " need " + p.Need
	}
	return where + ": " + p.Field + ": " + p.Problem
}

// CityProblems is a list of problems as one error (invalid_argument).
func CityProblems(ps []CityProblem) error {
	if len(ps) == 0 {
		return nil
	}
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return Errorf(EInvalid, "%s", strings.Join(lines, "; "))
}

// codePattern is the shape of an agency code, a station or unit id and a
// capability: stable, lower-case, safe in a URL and a CSV cell.
var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// MaxNeedCount bounds one need's count: a plan asks for a few units, never
// a fleet.
const MaxNeedCount = 50

// CityArea says how far a point lies outside the service area (0 inside);
// nil checks nothing.
type CityArea interface {
	Beyond(p geo.Point) float64
}

// Check lists every problem of the city: unknown agencies, stations, unit
// types and categories, duplicate callsigns, bad coordinates, stations
// more than margin metres outside area, plans naming a capability no unit
// has. The city pack, the admin API and a pack loaded into a running city
// all check with it.
func (c *City) Check(area CityArea, margin float64) []CityProblem {
	var out []CityProblem
	index := 0 // the entry being checked
	add := func(kind, key, field, format string, args ...any) {
		out = append(out, CityProblem{Kind: kind, Key: key, Field: field, Problem: fmt.Sprintf(format, args...), Index: index})
	}
	// key checks an entry's code or id: its form, and that no entry before
	// it has it.
	key := func(kind, k, field, what string, seen map[string]bool) {
		if !codePattern.MatchString(k) {
			add(kind, k, field, "must be lower-case letters, digits, '_', '-' or '.' (at most 64)")
		} else if seen[k] {
			add(kind, k, field, "duplicate %s", what)
		}
		seen[k] = true
	}
	// required checks a text an entry must have; ok says it is usable.
	required := func(kind, k, field, v string, max int) bool {
		if strings.TrimSpace(v) == "" {
			add(kind, k, field, "is required")
			return false
		}
		if err := CheckText(field, v, max); err != nil {
			add(kind, k, field, "%s", ErrorMessage(err))
			return false
		}
		return true
	}
	agencies := map[string]bool{}
	for i, a := range c.Agencies {
		index = i
		key(KindAgency, a.Code, "code", "agency code", agencies)
		if strings.TrimSpace(a.Name) == "" {
			add(KindAgency, a.Code, "name", "is required")
		}
		for field, v := range map[string]string{"name": a.Name, "phone": a.Phone, "complaint_team": a.ComplaintTeam} {
			if err := CheckText(field, v, 200); err != nil {
				add(KindAgency, a.Code, field, "%s", ErrorMessage(err))
			}
		}
	}
	stations := map[string]bool{}
	for i, s := range c.Stations {
		index = i
		key(KindStation, s.ID, "id", "station id", stations)
		required(KindStation, s.ID, "name", s.Name, 200)
		if !agencies[s.Agency] {
			add(KindStation, s.ID, "agency", "unknown agency %q", s.Agency)
		}
		if err := CheckPoint(s.Location); err != nil {
			add(KindStation, s.ID, "lat", "%s", ErrorMessage(err))
		} else if area != nil {
			if d := area.Beyond(s.Location); d > margin {
				add(KindStation, s.ID, "lat", "outside the service area (%.0f m beyond it)", d)
			}
		}
	}
	ids, callsigns, capabilities := map[string]bool{}, map[string]string{}, map[string]bool{}
	for i, u := range c.Units {
		index = i
		key(KindUnit, u.ID, "id", "unit id", ids)
		if required(KindUnit, u.ID, "callsign", u.Callsign, 40) {
			if other, dup := callsigns[strings.ToUpper(u.Callsign)]; dup {
				add(KindUnit, u.ID, "callsign", "duplicate callsign %q (unit %s has it)", u.Callsign, other)
			} else {
				callsigns[strings.ToUpper(u.Callsign)] = u.ID
			}
		}
		if !u.Type.Valid() {
			add(KindUnit, u.ID, "type", "unknown unit type %q (one of %s)", u.Type, joinTypes())
		}
		if !agencies[u.Agency] {
			add(KindUnit, u.ID, "agency", "unknown agency %q", u.Agency)
		}
		if !stations[u.Station] {
			add(KindUnit, u.ID, "station", "unknown station %q", u.Station)
		}
		for _, cap := range u.Capabilities {
			if !codePattern.MatchString(cap) {
				add(KindUnit, u.ID, "capabilities", "capability %q must be lower-case letters, digits, '_', '-' or '.'", cap)
			}
			capabilities[cap] = true
		}
	}
	cats := map[Category]bool{}
	for i, p := range c.Plans {
		index = i
		key := string(p.Category)
		if !slices.Contains(Categories, p.Category) {
			add(KindPlan, key, "category", "unknown category %q", p.Category)
		} else if cats[p.Category] {
			add(KindPlan, key, "category", "duplicate plan for category %q", p.Category)
		}
		cats[p.Category] = true
		if len(p.Levels[0]) == 0 {
			add(KindPlan, key, "levels", "alarm level 1 needs at least one unit")
		}
		for l, needs := range p.Levels {
			for i, n := range needs {
				need := fmt.Sprintf("%d.%d", l+1, i+1)
				bad := func(field, format string, args ...any) {
					out = append(out, CityProblem{Kind: KindPlan, Key: key, Need: need, Field: field, Problem: fmt.Sprintf(format, args...), Index: index})
				}
				switch {
				case (n.Type == "") == (n.Capability == ""):
					bad("type", "a need names either a unit type or a capability")
				case n.Type != "" && !n.Type.Valid():
					bad("type", "unknown unit type %q (one of %s)", n.Type, joinTypes())
				case n.Capability != "" && !capabilities[n.Capability]:
					bad("capability", "no unit has capability %q", n.Capability)
				}
				if n.Count < 1 || n.Count > MaxNeedCount {
					bad("count", "must be 1 to %d, not %d", MaxNeedCount, n.Count)
				}
			}
		}
	}
	return out
}

func joinTypes() string {
	s := make([]string, len(UnitTypes))
	for i, t := range UnitTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// PlansOf splits a city's plans into the response plan (level 1) and the
// alarm levels (2 and 3), as the engine uses them.
func PlansOf(plans []CategoryPlan) (ResponsePlan, AlarmLevels) {
	plan, alarms := ResponsePlan{}, AlarmLevels{}
	for _, p := range plans {
		plan[p.Category] = slices.Clone(p.Levels[0])
		if len(p.Levels[1]) > 0 || len(p.Levels[2]) > 0 {
			alarms[p.Category] = [2][]Need{slices.Clone(p.Levels[1]), slices.Clone(p.Levels[2])}
		}
	}
	return plan, alarms
}

// CityPlans joins a response plan and its alarm levels into per-category
// plans, in the order of Categories (then any other category by name).
func CityPlans(plan ResponsePlan, alarms AlarmLevels) []CategoryPlan {
	cats := make([]Category, 0, len(plan))
	for c := range plan {
		cats = append(cats, c)
	}
	slices.SortFunc(cats, func(a, b Category) int {
		ia, ib := slices.Index(Categories, a), slices.Index(Categories, b)
		if ia < 0 {
			ia = len(Categories)
		}
		if ib < 0 {
			ib = len(Categories)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(string(a), string(b))
	})
	out := make([]CategoryPlan, len(cats))
	for i, c := range cats {
		out[i] = CategoryPlan{Category: c}
		out[i].Levels[0] = slices.Clone(plan[c])
		if a, ok := alarms[c]; ok {
			out[i].Levels[1], out[i].Levels[2] = slices.Clone(a[0]), slices.Clone(a[1])
		}
	}
	return out
}
