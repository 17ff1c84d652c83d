package dispatch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cc112"
)

// pages walks a search to its end with the given page size and returns
// the ids in order.
func pages(t *testing.T, e *Engine, q IncidentQuery, v cc112.Viewer) []string {
	t.Helper()
	var ids []string
	for n := 0; ; n++ {
		if n > 100 {
			t.Fatal("paging does not end")
		}
		page := must[*IncidentPage](t)(e.SearchIncidents(context.Background(), q, v))
		for _, inc := range page.Items {
			ids = append(ids, inc.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		if len(page.Items) != q.Limit {
			t.Fatalf("a page of %d before the end (limit %d)", len(page.Items), q.Limit)
		}
		q.Cursor = page.NextCursor
	}
}

func idsOf(list []*cc112.Incident) []string {
	var out []string
	for _, inc := range list {
		out = append(out, inc.ID)
	}
	return out
}

// searchFixture: seven live incidents a minute apart with priorities
// 3,1,2,3,1,2,3 (the last two closed, one with police assigned), and three
// imported ones from last year, imported newest first.
func searchFixture(t *testing.T) (*fixture, []*cc112.Incident) {
	f := newFixture(t)
	ctx := context.Background()
	var made []*cc112.Incident
	for k, prio := range []int{3, 1, 2, 3, 1, 2, 3} {
		p := near(float64(100*k), 0)
		inc := must[*cc112.Incident](t)(f.eng.CreateIncident(ctx, NewIncident{Category: cc112.CatCrime, Priority: prio, Location: &p,
			Address: fmt.Sprintf("Jl. Raya Darmo %d", k), Description: "Pencurian motor",
			Caller: &cc112.Caller{Name: "Budi", Phone: fmt.Sprintf("+6281230000%02d", k)}}, "", ""))
		made = append(made, inc)
		f.clock.Advance(time.Minute)
	}
	must[*AssignResult](t)(f.eng.Assign(ctx, made[5].ID, "p1", "", ""))
	must[*cc112.Incident](t)(f.eng.CloseIncident(ctx, made[5].ID, "handled", "", ""))
	must[*cc112.Incident](t)(f.eng.CloseIncident(ctx, made[6].ID, "false alarm", "", ""))
	loc := near(0, 0)
	var history []ImportedIncident
	for k := 3; k >= 1; k-- {
		recv := t0.AddDate(-1, 0, k)
		history = append(history, ImportedIncident{ExternalID: fmt.Sprint("H", k), Category: cc112.CatFire, Priority: 1,
			Location: &loc, ReceivedAt: &recv, ClosedAt: tp(recv.Add(time.Hour).Format(time.RFC3339)), Address: "Pasar Turi"})
	}
	for _, err := range must[[]error](t)(f.eng.ImportIncidents(ctx, history)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	return f, made
}

func TestSearchPagesInOrder(t *testing.T) {
	f, made := searchFixture(t)
	all := cc112.Everyone
	// The queue: priority first, then newest, whatever the page size.
	want := idsOf(must[[]*cc112.Incident](t)(f.eng.IncidentsInMemory("active")))
	if len(want) != 5 || want[0] != made[4].ID || want[1] != made[1].ID {
		t.Fatalf("queue %v", want)
	}
	for _, limit := range []int{1, 2, 5, 100} {
		if got := pages(t, f.eng, IncidentQuery{Limit: limit}, all); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("queue in pages of %d: %v, want %v", limit, got, want)
		}
	}
	// All: newest first, the imported history (imported newest first)
	// after the live incidents in its own time order.
	var wantAll []string
	for k := len(made) - 1; k >= 0; k-- {
		wantAll = append(wantAll, made[k].ID)
	}
	hist := pages(t, f.eng, IncidentQuery{Status: "closed", From: t0.AddDate(-2, 0, 0), To: t0, Limit: 2}, all)
	if len(hist) != 3 {
		t.Fatalf("history %v", hist)
	}
	var received []time.Time
	for _, id := range hist {
		received = append(received, must[*cc112.Incident](t)(f.eng.Incident(id)).ReceivedAt)
	}
	if !received[0].After(received[1]) || !received[1].After(received[2]) {
		t.Errorf("history not newest first: %v", received)
	}
	wantAll = append(wantAll, hist...)
	for _, limit := range []int{1, 3, 1000} {
		if got := pages(t, f.eng, IncidentQuery{Status: "all", Limit: limit}, all); strings.Join(got, ",") != strings.Join(wantAll, ",") {
			t.Errorf("all in pages of %d: %v, want %v", limit, got, wantAll)
		}
	}
	if got := pages(t, f.eng, IncidentQuery{Status: "closed", Limit: 1, From: t0}, all); strings.Join(got, ",") != made[6].ID+","+made[5].ID {
		t.Errorf("closed since t0: %v", got)
	}
	// A new incident between pages does not repeat or skip the others.
	page := must[*IncidentPage](t)(f.eng.SearchIncidents(context.Background(), IncidentQuery{Status: "all", Limit: 4}, all))
	f.incident(t, cc112.CatFire, near(0, 0))
	rest := pages(t, f.eng, IncidentQuery{Status: "all", Limit: 4, Cursor: page.NextCursor}, all)
	if got := append(idsOf(page.Items), rest...); strings.Join(got, ",") != strings.Join(wantAll, ",") {
		t.Errorf("with an insert between pages: %v, want %v", got, wantAll)
	}
	// A restart (replay) answers the same pages.
	before := pages(t, f.eng, IncidentQuery{Status: "all", Limit: 3}, all)
	f.eng = f.reopen(t)
	if after := pages(t, f.eng, IncidentQuery{Status: "all", Limit: 3}, all); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("after replay %v, before %v", after, before)
	}
}

func TestSearchFilters(t *testing.T) {
	f, made := searchFixture(t)
	all := cc112.Everyone
	police := cc112.Viewer{Sight: cc112.SeeNone}
	for _, tt := range []struct {
		name string
		q    IncidentQuery
		v    cc112.Viewer
		want []string
	}{
		{"priority", IncidentQuery{Priority: 1}, all, []string{made[4].ID, made[1].ID}},
		{"category", IncidentQuery{Status: "all", Category: cc112.CatFire}, all, nil}, // counted below: the imported three
		{"agency", IncidentQuery{Status: "all", Agency: "POLRI"}, all, []string{made[5].ID}},
		{"status new", IncidentQuery{Status: "new", Priority: 3}, all, []string{made[3].ID, made[0].ID}},
		{"address text", IncidentQuery{Text: "raya darmo 2"}, all, []string{made[2].ID}},
		{"description text", IncidentQuery{Status: "closed", Text: "PENCURIAN"}, all, []string{made[6].ID, made[5].ID}},
		{"number", IncidentQuery{Status: "all", Text: made[3].Number}, all, []string{made[3].ID}},
		{"phone, E.164", IncidentQuery{Text: "+628123000003"}, all, []string{made[3].ID}},
		{"phone as dialled", IncidentQuery{Text: "08123000003"}, all, []string{made[3].ID}},
		{"police never match the caller", IncidentQuery{Text: "08123000003"}, police, nil},
		{"police see the rest", IncidentQuery{Text: "raya darmo 2"}, police, []string{made[2].ID}},
		{"a unit sees only its incidents", IncidentQuery{Status: "all"}, cc112.Viewer{Sight: cc112.SeeUnit, UnitID: "p1"}, nil},
		{"district of nobody", IncidentQuery{District: "Nowhere"}, all, nil},
	} {
		got := pages(t, f.eng, func() IncidentQuery { q := tt.q; q.Limit = 2; return q }(), tt.v)
		if tt.name == "category" {
			if len(got) != 3 {
				t.Errorf("%s: %v", tt.name, got)
			}
			continue
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	// Police get incidents without their callers.
	page := must[*IncidentPage](t)(f.eng.SearchIncidents(context.Background(), IncidentQuery{}, police))
	for _, inc := range page.Items {
		if inc.Caller != nil {
			t.Fatalf("police see caller %+v", inc.Caller)
		}
	}
	// Bad filters are refused naming the parameter.
	queueCursor := must[*IncidentPage](t)(f.eng.SearchIncidents(context.Background(), IncidentQuery{Limit: 1}, all)).NextCursor
	for _, tt := range []struct {
		q     IncidentQuery
		param string
	}{
		{IncidentQuery{Status: "open"}, "status"},
		{IncidentQuery{Category: "volcano"}, "category"},
		{IncidentQuery{Priority: 9}, "priority"},
		{IncidentQuery{Limit: 1001}, "limit"},
		{IncidentQuery{Limit: -1}, "limit"},
		{IncidentQuery{From: t0, To: t0}, "to"},
		{IncidentQuery{Text: strings.Repeat("x", 201)}, "q"},
		{IncidentQuery{Cursor: "!!"}, "cursor"},
		{IncidentQuery{Status: "all", Cursor: queueCursor}, "cursor"},
	} {
		_, err := f.eng.SearchIncidents(context.Background(), tt.q, all)
		wantCode(t, err, cc112.EInvalid)
		if !strings.HasPrefix(err.Error(), tt.param) && !strings.Contains(err.Error(), tt.param+" ") {
			t.Errorf("%+v: %q does not name %s", tt.q, err, tt.param)
		}
	}
}

// The needle finds what bytes.Index finds, wherever its anchor byte is.
func TestNeedleAgreesWithIndex(t *testing.T) {
	hay := []string{"", "a", "jl. raya darmo 12", "sby-20261122-0001\x00jl. pahlawan\x00\x00+628123\x000812", "0000000", "ééé darmo"}
	for _, s := range hay {
		for _, q := range []string{"a", "0", "00", "darmo", "raya darmo 12", "0812", "+628123", "é", "z", "lawan\x00", "12x"} {
			n := newNeedle(q)
			if got, want := n.index([]byte(s)), strings.Index(s, q); got != want {
				t.Errorf("index(%q, %q) = %d, want %d (anchor %d)", s, q, got, want, n.anchor)
			}
		}
	}
}

// TestSearchNotes: a note's words find its incident, the internal ones
// only for the viewers who read them (a merge brings the duplicate's notes
// along), in the queue and in the history, and after a restart.
func TestSearchNotes(t *testing.T) {
	f, made := searchFixture(t)
	ctx := context.Background()
	by := Author{Username: "budi", Role: "dispatcher"}
	note := func(inc *cc112.Incident, text string, internal bool) {
		t.Helper()
		must[*cc112.Incident](t)(f.eng.AddNote(ctx, inc.ID, text, internal, by, "", ""))
	}
	note(made[0], "Anjing galak di pagar", false)
	note(made[0], "Pelapor MABUK berat", true)
	note(made[2], "ada anjing galak", false)
	note(made[2], "pelapor mabuk", true)
	note(made[3], "rahasia gabung", true)
	must[*AssignResult](t)(f.eng.Assign(ctx, made[2].ID, "p2", "", ""))
	must[*cc112.Incident](t)(f.eng.CancelIncident(ctx, made[0].ID, "duplikat", by, "", ""))
	must[*cc112.Incident](t)(f.eng.MergeIncident(ctx, made[3].ID, made[1].ID, by, "", ""))
	all, callers := cc112.Everyone, cc112.Viewer{Sight: cc112.SeeCallers}
	police, unit := cc112.Viewer{Sight: cc112.SeeNone}, cc112.Viewer{Sight: cc112.SeeUnit, UnitID: "p2"}
	check := func(when string) {
		t.Helper()
		for _, tt := range []struct {
			name string
			q    IncidentQuery
			v    cc112.Viewer
			want []string
		}{
			{"public note, all", IncidentQuery{Status: "all", Text: "anjing galak"}, all, []string{made[2].ID, made[0].ID}},
			{"public note, police", IncidentQuery{Status: "all", Text: "ANJING galak"}, police, []string{made[2].ID, made[0].ID}},
			{"public note, history", IncidentQuery{Status: "closed", Text: "anjing"}, police, []string{made[0].ID}},
			{"public note, queue", IncidentQuery{Text: "anjing"}, police, []string{made[2].ID}},
			{"internal note, staff", IncidentQuery{Status: "all", Text: "pelapor mabuk"}, all, []string{made[2].ID, made[0].ID}},
			{"internal note, history", IncidentQuery{Status: "closed", Text: "mabuk berat"}, callers, []string{made[0].ID}},
			{"internal note, queue", IncidentQuery{Text: "mabuk"}, callers, []string{made[2].ID}},
			{"internal note, police", IncidentQuery{Status: "all", Text: "pelapor mabuk"}, police, nil},
			{"internal note, queue, police", IncidentQuery{Text: "mabuk"}, police, nil},
			{"merged note", IncidentQuery{Status: "all", Text: "rahasia gabung"}, callers, []string{made[3].ID, made[1].ID}},
			{"merged note, police", IncidentQuery{Status: "all", Text: "rahasia gabung"}, police, nil},
			{"unit, public note", IncidentQuery{Status: "all", Text: "anjing"}, unit, []string{made[2].ID}},
			{"unit, internal note", IncidentQuery{Status: "all", Text: "mabuk"}, unit, nil},
			{"unit, callback phone", IncidentQuery{Status: "all", Text: "08123000002"}, unit, []string{made[2].ID}},
			{"police, phone", IncidentQuery{Status: "all", Text: "08123000002"}, police, nil},
			{"agency", IncidentQuery{Status: "all", Text: "anjing"}, cc112.Viewer{Sight: cc112.SeeAgency, Agency: "dkp"}, nil},
		} {
			q := tt.q
			q.Limit = 1
			if got := pages(t, f.eng, q, tt.v); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("%s: %s: %v, want %v", when, tt.name, got, tt.want)
			}
		}
	}
	check("live")
	f.eng = f.reopen(t)
	check("after a restart")
}
