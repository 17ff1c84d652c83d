package callcenter

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"cc112"
	"cc112/geo"
)

// fixedDistricts names a kecamatan and a kelurahan by latitude band, so
// the fixture's places are known by hand.
type fixedDistricts map[float64]string

func (d fixedDistricts) Locate(p geo.Point) string {
	for lat, name := range d {
		if p.Lat > lat-0.0005 && p.Lat < lat+0.0005 {
			return name
		}
	}
	return ""
}

// TestStatsHandCounted files a month of complaints around the WIB month
// boundary (2026-11-30 16:59:59 UTC is 23:59:59 WIB on 30 November; one
// second later is 1 December) and checks every figure against the counts
// written out below by hand.
func TestStatsHandCounted(t *testing.T) {
	a := geo.Point{Lat: -7.2458, Lon: 112.7378}
	b := geo.Point{Lat: -7.2900, Lon: 112.7400}
	f := newFixture(t, Config{
		Districts: fixedDistricts{-7.2458: "Genteng", -7.2900: "Wonokromo"},
		Kelurahan: fixedDistricts{-7.2458: "Embong Kaliasin", -7.2900: "Darmo"},
	})
	set := func(at time.Time) { f.clock.Advance(at.Sub(f.clock.Now())) }
	set(time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC))
	file := func(channel, cat string, p geo.Point) *Filed {
		t.Helper()
		return must[*Filed](t)(f.svc.FileComplaint(ctx, NewComplaint{Channel: channel, Text: "x", Category: cat, Location: &p}))
	}
	// #1 16:00 UTC Nov 30: road at A by web, forwarded to pupr, answered in 30 min, feedback at 2 h.
	c1 := file("web", "road", a)
	f.forward(c1.ID, "pupr")
	f.clock.Advance(30 * time.Minute)
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c1.ID, "pupr", "ok", "", ""))
	// #2 16:30: road at A again (a repeat of #1) by sms, forwarded to pupr and dishub.
	c2 := file("sms", "road", a)
	must[*cc112.Complaint](t)(f.svc.Forward(ctx, c2.ID, []string{"pupr", "dishub"}, "", ""))
	// #3 16:59:59: waste at B by email, never forwarded.
	set(time.Date(2026, 11, 30, 16, 59, 59, 0, time.UTC))
	c3 := file("email", "waste", b)
	// #4 17:00:00 (1 December WIB): road at A (a repeat of #1), phone; forwarded to dishub, re-forwarded to pupr.
	set(time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC))
	c4 := file("phone", "road", a)
	f.forward(c4.ID, "dishub")
	must[*cc112.Complaint](t)(f.svc.Reforward(ctx, c4.ID, "dishub", []string{"pupr"}, "bukan kami", "", ""))
	// 18:00: #1 gets feedback (2 h after receipt).
	set(time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC))
	must[*cc112.Complaint](t)(f.svc.Feedback(ctx, c1.ID, "selesai", "", ""))
	must[*PublicComplaint](t)(f.svc.Rate(ctx, c1.Number, c1.Token, cc112.RatingSatisfied, ""))
	// pupr answers #4 at 18:00, 60 min after the re-forward at 17:00: within the SLA.
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c4.ID, "pupr", "ok", "", ""))
	// #2's pupr answers at 18:00 too: 90 min after its forward at 16:30, late.
	must[*cc112.Complaint](t)(f.svc.Respond(ctx, c2.ID, "pupr", "telat", "", ""))
	// Now: 2 Dec 00:00 UTC. #2 dishub is past due unanswered; #2, #3, #4 feedback is past 24 h for #2 and #3 only
	// (#2 received 16:30 Nov 30 → due 16:30 Dec 1; #3 due 16:59:59 Dec 1; #4 due 17:00 Dec 1: all past).
	set(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))

	all := must[*Stats](t)(f.svc.Stats(time.Date(2026, 11, 1, 0, 0, 0, 0, cc112.WIB), time.Date(2027, 1, 1, 0, 0, 0, 0, cc112.WIB), "month"))
	// By hand: November (WIB) has #1 #2 #3; December has #4.
	want := map[string]string{"2026-11": "3", "2026-12": "1"}
	for _, r := range all.Rows {
		if fmt.Sprint(r.Complaints) != want[r.Key] {
			t.Errorf("month %s: %d complaints, want %s", r.Key, r.Complaints, want[r.Key])
		}
	}
	if all.Total != 4 || len(all.Rows) != 2 {
		t.Fatalf("total %d rows %+v", all.Total, all.Rows)
	}
	// Agencies, by hand:
	// pupr: forwards #1 (30 min, in), #2 (90 min, late), #4 (60 min, in) → 3 due, 2 in SLA;
	//   complaints #1 #2 #4; feedback: #1 in (2 h), #2 due none, #4 due none → 3 due, 1 in.
	// dishub: forwards #2 (open, past due), #4 (rejected, not counted) → 1 due, 0 in;
	//   complaints #2 #4 → feedback 2 due, 0 in.
	// "" (not forwarded): #3 → feedback 1 due, 0 in.
	byAgency := map[string]StatsRow{}
	for _, r := range all.Agencies {
		byAgency[r.Key] = r
	}
	check := func(name string, r StatsRow, complaints, fdue, fin, bdue, bin int) {
		t.Helper()
		if r.Complaints != complaints || r.ForwardsDue != fdue || r.AnsweredInSLA != fin || r.FeedbackDue != bdue || r.FeedbackInSLA != bin {
			t.Errorf("%s: %+v; want complaints %d forwards %d/%d feedback %d/%d", name, r, complaints, fin, fdue, bin, bdue)
		}
	}
	check("pupr", byAgency["pupr"], 3, 3, 2, 3, 1)
	check("dishub", byAgency["dishub"], 2, 1, 0, 2, 0)
	check("none", byAgency[""], 1, 0, 0, 1, 0)
	// Overall, each complaint once: forwards #1 in, #2 pupr late, #2 dishub late, #4 pupr in → 4 due, 2 in;
	// feedback: all four due, #1 in.
	check("overall", all.Overall, 4, 4, 2, 4, 1)
	if s := byAgency["pupr"].AnsweredShare; s == nil || *s < 0.666 || *s > 0.667 {
		t.Errorf("pupr answered share %v", s)
	}
	if byAgency["pupr"].Satisfied != 1 || byAgency["pupr"].Repeats != 2 {
		t.Errorf("pupr satisfied/repeats %+v", byAgency["pupr"])
	}
	// Repeats: #2 and #4 repeat #1 → one place, three complaints.
	if len(all.Repeats) != 1 || all.Repeats[0].Number != c1.Number || all.Repeats[0].Count != 3 || all.Repeats[0].Kelurahan != "Embong Kaliasin" {
		t.Errorf("repeats %+v", all.Repeats)
	}
	if all.Public().Repeats[0].Location != nil || all.Repeats[0].Location == nil {
		t.Error("the public statistics show a repeated place's point")
	}
	// Groups by hand.
	for _, tt := range []struct{ group, want string }{
		{"category", "road:3 waste:1"},
		{"channel", "email:1 phone:1 sms:1 web:1"},
		{"kecamatan", "Genteng:3 Wonokromo:1"},
		{"kelurahan", "Embong Kaliasin:3 Darmo:1"},
		{"agency", "pupr:3 dishub:2 :1"},
	} {
		st := must[*Stats](t)(f.svc.Stats(all.From, all.To, tt.group))
		got := ""
		for i, r := range st.Rows {
			if i > 0 {
				got += " "
			}
			got += fmt.Sprintf("%s:%d", r.Key, r.Complaints)
		}
		if got != tt.want {
			t.Errorf("group %s: %s, want %s", tt.group, got, tt.want)
		}
		if a, b := jsonOf(t, st.Rows), jsonOf(t, all.Agencies); tt.group == "agency" && a != b {
			t.Errorf("grouped by agency, the rows differ from the agencies' record:\n%s\n%s", a, b)
		}
	}
	// The WIB day boundary decides the range: from 1 December WIB takes #4 only.
	dec := must[*Stats](t)(f.svc.Stats(time.Date(2026, 12, 1, 0, 0, 0, 0, cc112.WIB), all.To, "category"))
	if dec.Total != 1 || dec.Rows[0].Key != "road" {
		t.Errorf("December: %+v", dec)
	}
	nov := must[*Stats](t)(f.svc.Stats(all.From, time.Date(2026, 12, 1, 0, 0, 0, 0, cc112.WIB), "category"))
	if nov.Total != 3 {
		t.Errorf("November: %d", nov.Total)
	}
	_ = c3
	for _, bad := range []string{"district", "week", "phone"} {
		_, err := f.svc.Stats(all.From, all.To, bad)
		wantCode(t, err, cc112.EInvalid)
	}
	_, err := f.svc.Stats(all.To, all.From, "")
	wantCode(t, err, cc112.EInvalid)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
