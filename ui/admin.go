package ui

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"cc112"
	"cc112/city"
	"cc112/dispatch"
	"cc112/geo"
)

// The city's live configuration (issue 17): the admin's units, stations,
// agencies and plans, and a whole pack loaded into the running city. Each
// change is one city.changed event, by the admin who made it.

// adminUnit is a unit as an admin gives it; PATCH leaves out what stays.
type adminUnit struct {
	ID           *string   `json:"id"`
	Callsign     *string   `json:"callsign"`
	Type         *string   `json:"type"`
	Agency       *string   `json:"agency"`
	Station      *string   `json:"station"`
	Capabilities *[]string `json:"capabilities"`
}

func (a adminUnit) onto(u cc112.Unit) cc112.Unit {
	set(&u.Callsign, a.Callsign)
	set(&u.Agency, a.Agency)
	set(&u.Station, a.Station)
	if a.Type != nil {
		u.Type = cc112.UnitType(*a.Type)
	}
	if a.Capabilities != nil {
		u.Capabilities = append([]string(nil), (*a.Capabilities)...)
	}
	return u
}

type adminStation struct {
	ID       *string    `json:"id"`
	Name     *string    `json:"name"`
	Agency   *string    `json:"agency"`
	Location *geo.Point `json:"location"`
}

func (a adminStation) onto(s cc112.Station) cc112.Station {
	set(&s.Name, a.Name)
	set(&s.Agency, a.Agency)
	if a.Location != nil {
		s.Location = *a.Location
	}
	return s
}

type adminAgency struct {
	Code          *string `json:"code"`
	Name          *string `json:"name"`
	Phone         *string `json:"phone"`
	ComplaintTeam *string `json:"complaint_team"`
}

func (a adminAgency) onto(x cc112.Agency) cc112.Agency {
	set(&x.Name, a.Name)
	set(&x.Phone, a.Phone)
	set(&x.ComplaintTeam, a.ComplaintTeam)
	return x
}

type adminPlan struct {
	Category *string         `json:"category"`
	Levels   *[][]cc112.Need `json:"levels"`
}

func (a adminPlan) onto(p cc112.CategoryPlan) (cc112.CategoryPlan, error) {
	if a.Levels != nil {
		if len(*a.Levels) < 1 || len(*a.Levels) > cc112.AlarmLevelCount {
			return p, cc112.Errorf(cc112.EInvalid, "levels: give alarm levels 1 to %d, each a list of needs", cc112.AlarmLevelCount)
		}
		p.Levels = [cc112.AlarmLevelCount][]cc112.Need{}
		for i, l := range *a.Levels {
			p.Levels[i] = append([]cc112.Need(nil), l...)
		}
	}
	return p, nil
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}

// required names the first missing field of a new entry.
func required(fields map[string]bool) error {
	for _, name := range []string{"id", "code", "category", "callsign", "name", "type", "agency", "station", "location", "levels"} {
		if missing, ok := fields[name]; ok && missing {
			return cc112.Errorf(cc112.EInvalid, "%s is required", name)
		}
	}
	return nil
}

// adminCity is the whole city, with the categories a plan may name and the
// unit types (the admin page's choices).
func (s *Server) adminCity(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		cc112.City
		Categories []cc112.Category `json:"categories"`
		UnitTypes  []cc112.UnitType `json:"unit_types"`
	}{s.eng.City(), cc112.Categories, cc112.UnitTypes})
}

func (s *Server) adminUnits(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.eng.City().Units)
}

func (s *Server) adminStations(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.eng.City().Stations)
}

func (s *Server) adminAgencies(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.eng.City().Agencies)
}

func (s *Server) adminPlans(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.eng.City().Plans)
}

// changeCity runs an admin's edit and answers the change made.
func (s *Server) changeCity(r *http.Request, ed dispatch.CityEdit, key, fp string) (cc112.CityChangedPayload, error) {
	return s.eng.ChangeCity(r.Context(), author(r).Username, ed, false, key, fp)
}

func (s *Server) postAdminUnit(w http.ResponseWriter, r *http.Request) {
	var req adminUnit
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		if err := required(map[string]bool{"callsign": req.Callsign == nil, "type": req.Type == nil, "agency": req.Agency == nil, "station": req.Station == nil}); err != nil {
			return nil, err
		}
		u := req.onto(cc112.Unit{})
		if u.ID = strings.ToLower(u.Callsign); req.ID != nil {
			u.ID = strings.TrimSpace(*req.ID)
		}
		if _, err := s.eng.Unit(u.ID); err == nil {
			return nil, cc112.Errorf(cc112.EConflict, "id: unit %q exists (PATCH /api/v1/admin/units/%s changes it)", u.ID, u.ID)
		}
		if _, err := s.changeCity(r, dispatch.CityEdit{Units: []cc112.Unit{u}}, key, fp); err != nil {
			return nil, err
		}
		return s.eng.Unit(u.ID)
	})
}

func (s *Server) patchAdminUnit(w http.ResponseWriter, r *http.Request) {
	var req adminUnit
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		id := r.PathValue("id")
		if req.ID != nil && *req.ID != id {
			return nil, cc112.Errorf(cc112.EInvalid, "id: a unit's id does not change (retire it and add another)")
		}
		cur, err := s.eng.Unit(id)
		if err != nil {
			return nil, err
		}
		if _, err := s.changeCity(r, dispatch.CityEdit{Units: []cc112.Unit{req.onto(cur)}}, key, fp); err != nil {
			return nil, err
		}
		return s.eng.Unit(id)
	})
}

// deleteAdminUnit retires a unit, with the reason (sold, written off, moved
// to another city) kept in the journal.
func (s *Server) deleteAdminUnit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		req.Reason = strings.TrimSpace(req.Reason)
		if req.Reason == "" {
			return nil, cc112.Errorf(cc112.EInvalid, "reason is required: why the unit is retired")
		}
		if err := cc112.CheckText("reason", req.Reason, 200); err != nil {
			return nil, err
		}
		return s.changeCity(r, dispatch.CityEdit{RetireUnits: []string{r.PathValue("id")}, Reason: req.Reason}, key, fp)
	})
}

// find is the entry of list with key k.
func find[T any](list []T, k string, key func(T) string) (T, bool) {
	for _, v := range list {
		if key(v) == k {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func stationID(s cc112.Station) string         { return s.ID }
func agencyCode(a cc112.Agency) string         { return a.Code }
func planCategory(p cc112.CategoryPlan) string { return string(p.Category) }

func (s *Server) postAdminStation(w http.ResponseWriter, r *http.Request) {
	var req adminStation
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		if err := required(map[string]bool{"id": req.ID == nil, "name": req.Name == nil, "agency": req.Agency == nil, "location": req.Location == nil}); err != nil {
			return nil, err
		}
		st := req.onto(cc112.Station{ID: strings.TrimSpace(*req.ID)})
		if _, ok := find(s.eng.City().Stations, st.ID, stationID); ok {
			return nil, cc112.Errorf(cc112.EConflict, "id: station %q exists", st.ID)
		}
		if _, err := s.changeCity(r, dispatch.CityEdit{Stations: []cc112.Station{st}}, key, fp); err != nil {
			return nil, err
		}
		return st, nil
	})
}

func (s *Server) patchAdminStation(w http.ResponseWriter, r *http.Request) {
	var req adminStation
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		id := r.PathValue("id")
		cur, ok := find(s.eng.City().Stations, id, stationID)
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "station %q not found", id)
		}
		if req.ID != nil && *req.ID != id {
			return nil, cc112.Errorf(cc112.EInvalid, "id: a station's id does not change")
		}
		st := req.onto(cur)
		if _, err := s.changeCity(r, dispatch.CityEdit{Stations: []cc112.Station{st}}, key, fp); err != nil {
			return nil, err
		}
		return st, nil
	})
}

func (s *Server) deleteAdminStation(w http.ResponseWriter, r *http.Request) {
	s.command(w, r, http.StatusOK, nil, func(key, fp string) (any, error) {
		return s.changeCity(r, dispatch.CityEdit{RemoveStations: []string{r.PathValue("id")}}, key, fp)
	})
}

func (s *Server) postAdminAgency(w http.ResponseWriter, r *http.Request) {
	var req adminAgency
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		if err := required(map[string]bool{"code": req.Code == nil, "name": req.Name == nil}); err != nil {
			return nil, err
		}
		a := req.onto(cc112.Agency{Code: strings.TrimSpace(*req.Code)})
		if _, ok := find(s.eng.City().Agencies, a.Code, agencyCode); ok {
			return nil, cc112.Errorf(cc112.EConflict, "code: agency %q exists", a.Code)
		}
		if _, err := s.changeCity(r, dispatch.CityEdit{Agencies: []cc112.Agency{a}}, key, fp); err != nil {
			return nil, err
		}
		return a, nil
	})
}

func (s *Server) patchAdminAgency(w http.ResponseWriter, r *http.Request) {
	var req adminAgency
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		code := r.PathValue("id")
		cur, ok := find(s.eng.City().Agencies, code, agencyCode)
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "agency %q not found", code)
		}
		if req.Code != nil && *req.Code != code {
			return nil, cc112.Errorf(cc112.EInvalid, "code: an agency's code does not change")
		}
		a := req.onto(cur)
		if _, err := s.changeCity(r, dispatch.CityEdit{Agencies: []cc112.Agency{a}}, key, fp); err != nil {
			return nil, err
		}
		return a, nil
	})
}

func (s *Server) deleteAdminAgency(w http.ResponseWriter, r *http.Request) {
	s.command(w, r, http.StatusOK, nil, func(key, fp string) (any, error) {
		return s.changeCity(r, dispatch.CityEdit{RemoveAgencies: []string{r.PathValue("id")}}, key, fp)
	})
}

func (s *Server) postAdminPlan(w http.ResponseWriter, r *http.Request) {
	var req adminPlan
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		if err := required(map[string]bool{"category": req.Category == nil, "levels": req.Levels == nil}); err != nil {
			return nil, err
		}
		p, err := req.onto(cc112.CategoryPlan{Category: cc112.Category(strings.TrimSpace(*req.Category))})
		if err != nil {
			return nil, err
		}
		if _, ok := find(s.eng.City().Plans, string(p.Category), planCategory); ok {
			return nil, cc112.Errorf(cc112.EConflict, "category: %q has a plan (PATCH changes it)", p.Category)
		}
		if _, err := s.changeCity(r, dispatch.CityEdit{Plans: []cc112.CategoryPlan{p}}, key, fp); err != nil {
			return nil, err
		}
		return p, nil
	})
}

func (s *Server) patchAdminPlan(w http.ResponseWriter, r *http.Request) {
	var req adminPlan
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		cat := r.PathValue("id")
		cur, ok := find(s.eng.City().Plans, cat, planCategory)
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "plan %q not found", cat)
		}
		if req.Category != nil && *req.Category != cat {
			return nil, cc112.Errorf(cc112.EInvalid, "category: a plan's category does not change")
		}
		p, err := req.onto(cur)
		if err != nil {
			return nil, err
		}
		if _, err := s.changeCity(r, dispatch.CityEdit{Plans: []cc112.CategoryPlan{p}}, key, fp); err != nil {
			return nil, err
		}
		return p, nil
	})
}

func (s *Server) deleteAdminPlan(w http.ResponseWriter, r *http.Request) {
	s.command(w, r, http.StatusOK, nil, func(key, fp string) (any, error) {
		return s.changeCity(r, dispatch.CityEdit{RemovePlans: []cc112.Category{cc112.Category(r.PathValue("id"))}}, key, fp)
	})
}

// packBody is a city pack sent to the running city: the text of its four
// fleet files (the geography is the server's own and changes with a
// restart).
type packBody struct {
	Files struct {
		Agencies string `json:"agencies.yaml"`
		Stations string `json:"stations.csv"`
		Units    string `json:"units.csv"`
		Plans    string `json:"plans.yaml"`
	} `json:"files"`
}

// cityPack answers the difference a pack makes (apply false) or makes it,
// as one change. A pack with any problem is refused whole, every problem
// listed as file:line: field: problem.
func (s *Server) cityPack(apply bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req packBody
		s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
			next, err := s.readPack(req)
			if err != nil {
				return nil, err
			}
			return s.eng.ReplaceCity(r.Context(), author(r).Username, next, !apply, key, fp)
		})
	}
}

func (s *Server) readPack(req packBody) (cc112.City, error) {
	files := map[string]string{city.AgenciesFile: req.Files.Agencies, city.StationsFile: req.Files.Stations,
		city.UnitsFile: req.Files.Units, city.PlansFile: req.Files.Plans}
	for _, name := range city.FleetFiles {
		if strings.TrimSpace(files[name]) == "" {
			return cc112.City{}, cc112.Errorf(cc112.EInvalid, "files.%s is required: a pack sent to a running city has all of %s",
				name, strings.Join(city.FleetFiles, ", "))
		}
	}
	dir, err := os.MkdirTemp("", "cc112-pack-")
	if err != nil {
		return cc112.City{}, err
	}
	defer os.RemoveAll(dir)
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return cc112.City{}, err
		}
	}
	area, margin := s.eng.ServiceArea()
	p, err := city.LoadFleet(dir, area, margin)
	var ps city.Problems
	if errors.As(err, &ps) {
		var b bytes.Buffer
		for i, p := range ps {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(p.String())
		}
		return cc112.City{}, cc112.Errorf(cc112.EInvalid, "the pack has %d problem(s), nothing changed:\n%s", len(ps), b.String())
	}
	if err != nil {
		return cc112.City{}, err
	}
	return p, nil
}
