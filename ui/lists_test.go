package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/cctv"
	"cc112/internal/testjournal"
)

// pagedLists are the GET routes whose lists grow with the years: each
// answers one cc112.Page. The role reads it; the query is added to every
// request; a route with a {id} reads the seeded resource that path gives.
var pagedLists = map[string]struct {
	role  auth.Role
	query string
	path  func(*secured) string
}{
	"/api/v1/incidents":             {auth.Dispatcher, "status=all", nil},
	"/api/v1/calls":                 {auth.CallTaker, "status=all", nil},
	"/api/v1/complaints":            {auth.Supervisor, "", nil},
	"/api/v1/complaints/quarantine": {auth.Supervisor, "", nil},
	"/api/v1/cameras/views":         {auth.Admin, "", nil},
	"/api/v1/alerts":                {auth.Dispatcher, "state=all", nil},
	"/api/v1/messages":              {auth.Dispatcher, "", nil},
	"/api/v1/audit":                 {auth.Admin, "", nil},
	"/api/v1/units/{id}/roster": {auth.Supervisor, "", func(s *secured) string {
		return "/api/v1/units/" + s.unitID + "/roster"
	}},
	"/api/v1/cameras/{id}/recordings": {auth.Dispatcher, "", func(s *secured) string {
		return "/api/v1/cameras/" + s.eng.Cameras()[0].ID + "/recordings" // the camera seedLists records
	}},
}

// boundedGets are the other GET routes of the API, each with why it needs
// no paging: one resource, a report of fixed size, or a list bounded by
// the city rather than by time.
var boundedGets = map[string]string{
	"/api/v1/cameras/{id}/ptz/presets":        "the positions one camera stores: a fixed number per camera (ONVIF), cut at maxPresets",
	"/api/v1/cameras/{id}/replay":             "a websocket of one camera's video, at most an hour per connection",
	"/api/v1/incidents/{id}/evidence":         "one incident's lock and its exports (a handful per case)",
	"/api/v1/evidence/key":                    "one public key",
	"/api/v1/evidence/{id}/file":              "one export's MP4, at most an hour of video",
	"/healthz":                                "one status",
	"/readyz":                                 "one status",
	"/api/v1/units":                           "the fleet: bounded by the city's units, all on the map at once",
	"/api/v1/units/{id}":                      "one unit",
	"/api/v1/units/{id}/track":                "at most track.MaxFixes fixes of at most 7 days, flagged truncated",
	"/api/v1/incidents/{id}":                  "one incident",
	"/api/v1/incidents/{id}/plan":             "one incident's response plan",
	"/api/v1/roster":                          "one row per unit at one time",
	"/api/v1/evidence/{id}/manifest":          "one export's signed manifest",
	"/api/v1/incidents/{id}/recommendations":  "limit 1 to 50 of the available units",
	"/api/v1/incidents/duplicates":            "active incidents within 500 m and the duplicate window",
	"/api/v1/cameras":                         "the camera points: bounded by the city, all on the map at once",
	"/api/v1/cameras/nearest":                 "limit 1 to 50",
	"/api/v1/cameras/{id}":                    "one camera",
	"/api/v1/cameras/{id}/live":               "a websocket",
	"/api/v1/districts":                       "the city's kecamatan",
	"/api/v1/map/offline":                     "the city's offline map, built once",
	"/api/v1/public/districts":                "the city's kecamatan",
	"/api/v1/geocode":                         "limit 1 to 50",
	"/api/v1/route":                           "one route",
	"/api/v1/config":                          "one configuration",
	"/api/v1/catalog":                         "the stable codes",
	"/api/v1/live":                            "a websocket",
	"/api/v1/calls/{id}":                      "one call",
	"/api/v1/complaints/meta":                 "the complaint categories and channels",
	"/api/v1/complaints/report":               "one bucket per day or week of at most the asked range",
	"/api/v1/complaints/{ref}":                "one complaint",
	"/api/v1/complaints/{id}/attachments/{n}": "one file",
	"/api/v1/complaints/stats":                "fixed-size statistics",
	"/api/v1/public/complaints/stats":         "fixed-size statistics",
	"/api/v1/coverage":                        "one row per district group and agency",
	"/api/v1/moveups":                         "at most one advice per free unit: bounded by the fleet",
	"/api/v1/metrics/response":                "one row per group of a fixed grouping",
	"/api/v1/metrics/incidents.csv":           "a streamed export, never held whole",
	"/api/v1/metrics/eta":                     "fixed-size statistics",
	"/api/v1/me":                              "one account",
	"/api/v1/me/assignment":                   "one assignment",
	"/api/v1/push/key":                        "one key",
	"/api/v1/hospitals":                       "the city's hospitals",
	"/api/v1/users":                           "the center's staff accounts",
	"/api/v1/devices":                         "one tracker per unit",
	"/osmand":                                 "a position report",
	"/metrics":                                "Prometheus' fixed set of series",
	"/{$}":                                    "a page",
	"/static/{version}/{path...}":             "a file",
	"/unit/sw.js":                             "a file",
	"/calltaker":                              "a page",
	"/complaint":                              "a page",
	"/desk":                                   "a page",
	"/desk/stats":                             "a page",
	"/statistik":                              "a page",
	"/camera":                                 "a page",
	"/supervisor":                             "a page",
	"/unit":                                   "a page",
	"/police":                                 "a page",
	"/admin":                                  "a page",
	"/api/v1/admin/city":                      "the city's configuration",
	"/api/v1/admin/units":                     "the fleet: bounded by the city",
	"/api/v1/admin/stations":                  "the city's stations",
	"/api/v1/admin/agencies":                  "the configured agencies",
	"/api/v1/admin/plans":                     "one response plan per category",
	"/login":                                  "a page",
}

// TestEveryGrowingListPages walks the route table: every GET route is a
// paged list or says why it is bounded; every paged list gives at most
// limit items, continues after its cursor to the end without repeating or
// skipping one, refuses a limit above cc112.MaxPageSize, a limit of 0 and
// a cursor it did not give (400, invalid_argument). On both journals.
func TestEveryGrowingListPages(t *testing.T) {
	for name, open := range map[string]func(testing.TB) cc112.Journal{"bolt": testjournal.Bolt, "postgres": testjournal.Postgres} {
		t.Run(name, func(t *testing.T) { listsPage(t, newSecuredOn(t, open(t))) })
	}
}

func listsPage(t *testing.T, s *secured) {
	seedLists(t, s)
	for _, rt := range s.server.routes {
		if rt.Method != "GET" {
			continue
		}
		list, paged := pagedLists[rt.Pattern]
		if _, bounded := boundedGets[rt.Pattern]; !paged && !bounded {
			t.Errorf("GET %s is neither in pagedLists nor in boundedGets: page it (cc112.Page), or say why its answer cannot grow", rt.Pattern)
			continue
		}
		if !paged {
			continue
		}
		t.Run(rt.Pattern, func(t *testing.T) {
			path := rt.Pattern
			if list.path != nil {
				path = list.path(s)
			}
			get := func(extra string) resp {
				q := list.query
				if extra != "" {
					q = strings.TrimPrefix(q+"&"+extra, "&")
				}
				return s.as(list.role, "GET", path+"?"+q, "")
			}
			page := func(extra string) cc112.Page[json.RawMessage] {
				t.Helper()
				r := get(extra)
				var p cc112.Page[json.RawMessage]
				if r.status != 200 || json.Unmarshal([]byte(r.body), &p) != nil || p.Items == nil {
					t.Fatalf("GET %s?%s: %d %s, want a page {items, next_cursor}", rt.Pattern, extra, r.status, r.body)
				}
				return p
			}
			all := page("limit=1000")
			if len(all.Items) < 3 || all.NextCursor != "" {
				t.Fatalf("the seeded list has %d items (next %q): want at least 3 on one page", len(all.Items), all.NextCursor)
			}
			if n := len(page("").Items); n != len(all.Items) {
				t.Errorf("the default page has %d of %d items (default %d)", n, len(all.Items), cc112.DefaultPageSize)
			}
			var walked []string
			cursor := ""
			for pages := 0; ; pages++ {
				if pages > len(all.Items) {
					t.Fatalf("paging by 2 does not end after %d pages", pages)
				}
				p := page("limit=2&cursor=" + url.QueryEscape(cursor))
				if len(p.Items) > 2 {
					t.Fatalf("limit=2 gave %d items", len(p.Items))
				}
				for _, it := range p.Items {
					walked = append(walked, string(it))
				}
				if p.NextCursor == "" {
					break
				}
				cursor = p.NextCursor
			}
			var want []string
			for _, it := range all.Items {
				want = append(want, string(it))
			}
			if strings.Join(walked, "\n") != strings.Join(want, "\n") {
				t.Fatalf("pages of 2 give\n%s\nwant (one page)\n%s", strings.Join(walked, "\n"), strings.Join(want, "\n"))
			}
			for _, bad := range []string{fmt.Sprintf("limit=%d", cc112.MaxPageSize+1), "limit=0", "limit=-3", "limit=two", "cursor=%21%21not-a-cursor"} {
				if r := get(bad); r.status != 400 || r.errCode(t) != cc112.EInvalid {
					t.Errorf("?%s: %d %s, want 400 invalid_argument", bad, r.status, r.body)
				}
			}
		})
	}
}

// seedLists puts at least three items into every paged list.
func seedLists(t *testing.T, s *secured) {
	t.Helper()
	ctx := context.Background()
	for k := range 3 {
		s.want(s.as(auth.CallTaker, "POST", "/api/v1/incidents", fireAtTugu), 201, "incident")
		s.want(s.as(auth.CallTaker, "POST", "/api/v1/calls", fmt.Sprintf(`{"phone":"08123456780%d","channel":"phone"}`, k)), 201, "call")
		s.want(s.as(auth.Dispatcher, "POST", "/api/v1/complaints/entry",
			fmt.Sprintf(`{"channel":"phone","category":"streetlight","text":"Lampu jalan mati %d","phone":"0812345000%02d"}`, k, k)), 201, "complaint")
		s.want(s.as(auth.Dispatcher, "POST", "/api/v1/messages", fmt.Sprintf(`{"to_agency":"dinkes","text":"pesan %d"}`, k)), 201, "message")
		if _, err := s.calls.Quarantine(ctx, cc112.MailQuarantined{Source: "webhook", From: "x@example.com",
			Subject: fmt.Sprintf("surat %d", k), Reason: "no text"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.views.Start(ctx, cctv.View{CameraID: s.eng.Cameras()[0].ID, User: "police", Reason: "patroli"}); err != nil {
			t.Fatal(err)
		}
		recordClip(t, s.recorded, s.eng.Cameras()[0].ID, time.Date(2026, 12, 5, 17, k, 0, 0, time.UTC), 1)
	}
	var shifts []string
	for k := range 3 {
		from := s.eng.Clock().Now().Add(time.Duration(k+1) * 9 * time.Hour).UTC()
		shifts = append(shifts, fmt.Sprintf(`{"crew":["awak %d"],"from":%q,"to":%q}`, k, from.Format(time.RFC3339), from.Add(8*time.Hour).Format(time.RFC3339)))
	}
	s.want(s.as(auth.Supervisor, "PUT", "/api/v1/units/"+s.unitID+"/roster", `{"shifts":[`+strings.Join(shifts, ",")+`]}`), 200, "roster")
	if r, _, err := s.alerts.Check(ctx); err != nil || r < 3 {
		t.Fatalf("alerts: raised %d, %v; want 3", r, err)
	}
}
