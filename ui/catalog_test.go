package ui

import (
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/dispatch"
)

// TestCatalogListsWhatTheEngineAccepts: the catalog's incident categories
// are exactly the ones the engine takes (each one is accepted, with the
// plan the engine dispatches), every unit, incident and complaint code the
// domain knows is there, and the agencies are the call center's.
func TestCatalogListsWhatTheEngineAccepts(t *testing.T) {
	s := newSecured(t)
	var c Catalog
	r := s.as(auth.UnitRole, "GET", "/api/v1/catalog", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /api/v1/catalog as a unit: %d %s", r.status, r.body)
	}
	r.decode(t, &c)

	var codes []cc112.Category
	plan := s.eng.Plan()
	for _, cat := range c.IncidentCategories {
		codes = append(codes, cat.Code)
		if cat.Priority < cc112.MinPriority || cat.Priority > cc112.MaxPriority {
			t.Errorf("%s: default priority %d out of range", cat.Code, cat.Priority)
		}
		if !slices.Equal(cat.Plan, plan[cat.Code]) {
			t.Errorf("%s: plan %v, the engine's is %v", cat.Code, cat.Plan, plan[cat.Code])
		}
		body := fmt.Sprintf(`{"category":%q,"priority":%d,"location":{"lat":-7.2575,"lon":112.7521}}`, cat.Code, cat.Priority)
		if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents", body); r.status != http.StatusCreated {
			t.Errorf("%s from the catalog: %d %s", cat.Code, r.status, r.body)
		}
	}
	accepted := s.eng.Categories()
	if got := slices.Sorted(slices.Values(codes)); !slices.Equal(got, accepted) {
		t.Errorf("catalog categories %v, the engine accepts %v", got, accepted)
	}
	if !slices.Equal(codes[:len(cc112.Categories)], cc112.Categories) {
		t.Errorf("categories out of display order: %v", codes)
	}
	if r := s.as(auth.Dispatcher, "POST", "/api/v1/incidents", `{"category":"not_in_catalog","location":{"lat":-7.2575,"lon":112.7521}}`); r.status != http.StatusBadRequest {
		t.Errorf("a category outside the catalog: %d, want 400", r.status)
	}
	for p := cc112.MinPriority; p <= cc112.MaxPriority; p++ {
		if !slices.Contains(c.Priorities, p) {
			t.Errorf("priority %d missing from %v", p, c.Priorities)
		}
	}
	for _, u := range c.UnitStatuses {
		if !u.Valid() {
			t.Errorf("unit status %q is not valid", u)
		}
	}
	for _, u := range c.UnitTypes {
		if !u.Valid() {
			t.Errorf("unit type %q is not valid", u)
		}
	}
	for _, st := range c.CameraStatuses {
		if !st.Valid() {
			t.Errorf("camera status %q is not valid", st)
		}
	}
	if len(c.UnitStatuses) != len(cc112.UnitStatuses) || len(c.IncidentStatuses) != len(cc112.IncidentStatuses) ||
		len(c.IncidentSources) != len(cc112.Channels) || len(c.UnitTypes) != len(cc112.UnitTypes) {
		t.Errorf("a list is short: %+v", c)
	}
	if !slices.Equal(c.Agencies, s.calls.Agencies()) || !slices.Equal(c.ComplaintCategories, cc112.ComplaintCategories) ||
		!slices.Equal(c.ComplaintStatuses, cc112.ComplaintStatuses) || !slices.Equal(c.ComplaintChannels, cc112.ComplaintChannels) ||
		!slices.Equal(c.CallChannels, callcenter.CallChannels) {
		t.Errorf("call center codes differ: %+v", c)
	}
}

// TestCatalogFollowsAConfiguredPlan: a category a configured plan adds is
// served (after the known ones), one it leaves out is not.
func TestCatalogFollowsAConfiguredPlan(t *testing.T) {
	a := newAPI(t, func(ec *dispatch.Config, _ *Config) {
		ec.Plan = cc112.ResponsePlan{cc112.CatFire: {{Type: cc112.UnitFire, Count: 1}}, "chemical": {{Type: cc112.UnitFire, Count: 3}}}
	})
	var c Catalog
	a.do("GET", "/api/v1/catalog", "").decode(t, &c)
	want := []CatalogCategory{
		{Code: cc112.CatFire, Priority: 1, Plan: []cc112.Need{{Type: cc112.UnitFire, Count: 1}}},
		{Code: "chemical", Priority: 3, Plan: []cc112.Need{{Type: cc112.UnitFire, Count: 3}}},
	}
	if fmt.Sprint(c.IncidentCategories) != fmt.Sprint(want) {
		t.Errorf("categories %v, want %v", c.IncidentCategories, want)
	}
}

// TestPagesKeepNoCopyOfTheCatalog: no page script or page lists the codes
// the catalog serves (a list is three or more of one kind's codes quoted in
// one file); the pages load them from /api/v1/catalog or /complaints/meta
// and keep only labels, keyed as "kind.code".
func TestPagesKeepNoCopyOfTheCatalog(t *testing.T) {
	kinds := map[string][]string{
		"incident categories":  codes(cc112.Categories),
		"unit types":           codes(cc112.UnitTypes),
		"complaint categories": cc112.ComplaintCategories,
		"call channels":        callcenter.CallChannels,
		"agencies":             callcenter.DefaultAgencies,
	}
	files, err := fs.Glob(staticFS, "static/*/*")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := fs.Glob(staticFS, "static/*.html")
	files = append(files, more...)
	checked := 0
	for _, name := range files {
		if !strings.HasSuffix(name, ".js") && !strings.HasSuffix(name, ".html") {
			continue
		}
		b, err := staticFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for kind, list := range kinds {
			var found []string
			for _, c := range list {
				if regexp.MustCompile(`['"\x60]` + regexp.QuoteMeta(c) + `['"\x60]`).Match(b) {
					found = append(found, c)
				}
			}
			if len(found) >= 3 {
				t.Errorf("%s lists %s %v: take them from the catalog", name, kind, found)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d page files checked", checked)
	}
}

func codes[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = string(c)
	}
	return out
}
