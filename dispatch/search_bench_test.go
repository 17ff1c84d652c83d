package dispatch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
)

// BenchmarkIncidentSearch: one page (100) of GET /api/v1/incidents over
// 1,000,000 incidents (two years of history, one every minute, plus 300
// open), as a dispatcher sees them. Goal (issue 14): ≤ 50 ms a page.
func BenchmarkIncidentSearch(b *testing.B) {
	const n = 1_000_000
	e, err := New(b.Context(), Config{Journal: &memJournal{}, Clock: clocktest.New(t0)})
	if err != nil {
		b.Fatal(err)
	}
	cats := e.Categories()
	districts := []string{"Genteng", "Tegalsari", "Bubutan", "Simokerto", "Wonokromo", "Sawahan", "Rungkut", "Gubeng"}
	agencies := []string{"damkar", "polri", "dinkes", "dkp"}
	base := t0.Add(-n * time.Minute)
	e.mu.Lock()
	for i := range n {
		recv := base.Add(time.Duration(i) * time.Minute)
		closed := recv.Add(time.Hour)
		inc := &cc112.Incident{
			ID: fmt.Sprintf("inc_%012x", i), Number: fmt.Sprintf("SBY-%s-%04d", recv.Format("20060102"), i%1440+1),
			Category: cats[i%len(cats)], Priority: 1 + i%5, Status: cc112.IncidentClosed, District: districts[i%len(districts)],
			Address: fmt.Sprintf("Jl. Raya Darmo No. %d", i%997), Description: "Laporan warga, sudah ditangani petugas",
			Caller:     &cc112.Caller{Name: "Warga", Phone: fmt.Sprintf("+62812%08d", i)},
			ReceivedAt: recv, ClosedAt: &closed,
			Assignments: []*cc112.Assignment{{UnitID: "u", Agency: agencies[i%len(agencies)], DispatchedAt: recv}},
		}
		if i >= n-300 {
			inc.Status, inc.ClosedAt = cc112.IncidentDispatched, nil
		}
		e.incidents[inc.ID] = inc
		e.index.add(inc)
	}
	e.changes = nil
	e.mu.Unlock()
	all := e.sortedByTime()
	middle := cursorOf(all[n/2].inc, false).String()
	from, to := base.Add(n/4*time.Minute), base.Add(n/4*time.Minute+30*24*time.Hour)
	for _, bc := range []struct {
		name string
		q    IncidentQuery
	}{
		{"queue", IncidentQuery{}},
		{"all_first_page", IncidentQuery{Status: "all"}},
		{"closed_middle_page", IncidentQuery{Status: "closed", Cursor: middle}},
		{"category_district", IncidentQuery{Status: "all", Category: cats[4], District: "wonokromo"}},
		{"agency_priority", IncidentQuery{Status: "closed", Agency: "dkp", Priority: 4}},
		{"month_window", IncidentQuery{Status: "all", From: from, To: to, Priority: 1}},
		{"text_address", IncidentQuery{Status: "all", Text: "raya darmo no. 996"}},
		{"text_phone_one_hit", IncidentQuery{Status: "all", Text: "081200000007"}}, // scans all: the worst case
		{"text_no_hit", IncidentQuery{Status: "all", Text: "tidak ada"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var got int
			for b.Loop() {
				page, err := e.SearchIncidents(context.Background(), bc.q, cc112.Everyone)
				if err != nil {
					b.Fatal(err)
				}
				got = len(page.Items)
			}
			b.ReportMetric(float64(got), "items")
		})
	}
}
