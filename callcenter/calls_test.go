package callcenter

import (
	"testing"
	"time"

	"cc112"
	"cc112/dispatch"
)

func amlFor(phone string, at time.Time, radius float64) AML {
	return AML{Version: 1, Phone: phone, Location: tugu, RadiusM: radius, Method: "gnss", At: at}
}

func TestStartCallValidates(t *testing.T) {
	f := newFixture(t, Config{})
	c := must[*Call](t)(f.svc.StartCall(ctx, NewCall{Phone: "0812 3456 7890", NIK: "3578 0101 0190 0001", Channel: "sms"}, "", ""))
	if c.Phone != "+6281234567890" || c.NIK != "3578010101900001" || c.Status != CallActive || c.Channel != "sms" {
		t.Fatalf("call %+v", c)
	}
	for _, n := range []NewCall{
		{Phone: ""}, {Phone: "12ab"}, {Phone: "081234567890", NIK: "123"},
		{Phone: "081234567890", Channel: "pigeon"},
	} {
		_, err := f.svc.StartCall(ctx, n, "", "")
		wantCode(t, err, cc112.EInvalid)
	}
	if list := must[cc112.Page[*Call]](t)(f.svc.Calls("active", cc112.PageRequest{})).Items; len(list) != 1 {
		t.Fatalf("bad calls were recorded: %d", len(list))
	}
}

func TestAMLAttachesToTheActiveCall(t *testing.T) {
	f := newFixture(t, Config{})
	other := f.call("081111111111")
	c := f.call("081234567890")
	res := must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0.Add(-5*time.Second), 18)))
	if res.Status != "attached" || res.Call.ID != c.ID {
		t.Fatalf("result %+v", res)
	}
	got := must[*Call](t)(f.svc.Call(c.ID))
	if got.Location == nil || got.Location.RadiusM != 18 || got.Location.Source != "aml" || got.Location.Method != "gnss" {
		t.Fatalf("location %+v", got.Location)
	}
	if live, ok := f.pub.last(cc112.LiveCallUpdated).(*Call); !ok || live.ID != c.ID || live.Location == nil {
		t.Fatalf("live feed got %#v", f.pub.last(cc112.LiveCallUpdated))
	}
	if o := must[*Call](t)(f.svc.Call(other.ID)); o.Location != nil {
		t.Fatal("AML went to another caller")
	}
	// An older position arriving late does not replace a newer one.
	res = must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0.Add(-time.Minute), 900)))
	if res.Status != "stale" {
		t.Fatalf("older AML: %+v", res)
	}
	// A fix from the future changes nothing.
	_, err := f.svc.AttachAML(ctx, amlFor("+6281234567890", t0.Add(time.Hour), 5))
	wantCode(t, err, cc112.EInvalid)
	// The state survives a restart.
	f.restart()
	got = must[*Call](t)(f.svc.Call(c.ID))
	if got.Location == nil || got.Location.RadiusM != 18 {
		t.Fatalf("after restart: %+v", got.Location)
	}
}

// An old fix (a phone's cached position) is kept for the call-taker to
// judge, with its age when it reached us; a fresh one is not flagged.
func TestOldAMLIsKeptWithItsAge(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.call("081234567890")
	res := must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0.Add(-2*time.Hour-5*time.Second), 40)))
	if res.Status != "attached" {
		t.Fatalf("result %+v", res)
	}
	got := must[*Call](t)(f.svc.Call(c.ID))
	if l := got.Location; l == nil || !l.Old || l.AgeS != 7205 || l.RadiusM != 40 {
		t.Fatalf("old fix: %+v", l)
	}
	// A newer fix replaces it and is not flagged.
	must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0.Add(-3*time.Second), 12)))
	if l := must[*Call](t)(f.svc.Call(c.ID)).Location; l.Old || l.AgeS != 3 || l.RadiusM != 12 {
		t.Fatalf("fresh fix: %+v", l)
	}
	// Exactly OldFix is not yet old.
	c2 := f.call("081300000001")
	must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor(c2.Phone, t0.Add(-OldFix), 12)))
	if l := must[*Call](t)(f.svc.Call(c2.ID)).Location; l.Old || l.AgeS != int64(OldFix/time.Second) {
		t.Fatalf("fix of exactly OldFix: %+v", l)
	}
}

func TestAMLBeforeTheCallIsKeptAMinute(t *testing.T) {
	f := newFixture(t, Config{})
	res := must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0, 30)))
	if res.Status != "pending" {
		t.Fatalf("no call yet: %+v", res)
	}
	f.clock.Advance(40 * time.Second)
	if c := f.call("081234567890"); c.Location == nil || c.Location.RadiusM != 30 {
		t.Fatalf("pending AML not attached: %+v", c.Location)
	}
	// Too late: a pending AML older than a minute is not used.
	must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6289999999999", f.clock.Now(), 30)))
	f.clock.Advance(61 * time.Second)
	if c := f.call("089999999999"); c.Location != nil {
		t.Fatalf("stale pending AML attached: %+v", c.Location)
	}
}

func TestManualLocation(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.call("081234567890")
	lat, lon, r := -7.25, 112.75, 50.0
	got := must[*Call](t)(f.svc.SetLocation(ctx, c.ID, ManualLocation{Lat: &lat, Lon: &lon, RadiusM: &r, Source: "address", Address: "Jl. Tunjungan 1"}, "", ""))
	if got.Location.Source != "address" || got.Location.Address != "Jl. Tunjungan 1" || got.Location.RadiusM != 50 {
		t.Fatalf("location %+v", got.Location)
	}
	bad := 200.0
	for _, m := range []ManualLocation{
		{Lat: &lat, Lon: &lon, Source: "gps"},
		{Lat: &lat, Source: "manual"},
		{Lat: &bad, Lon: &lon, Source: "manual"},
		{Lat: &lat, Lon: &lon, Source: "address"},
	} {
		_, err := f.svc.SetLocation(ctx, c.ID, m, "", "")
		wantCode(t, err, cc112.EInvalid)
	}
	_, err := f.svc.SetLocation(ctx, "call_nope", ManualLocation{Lat: &lat, Lon: &lon, Source: "manual"}, "", "")
	wantCode(t, err, cc112.ENotFound)
}

func TestIncidentFromCallAndDuplicates(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.call("081234567890")
	// Without a location the call cannot make an incident, and nothing changes.
	_, err := f.svc.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, CallID: c.ID}, "", "")
	wantCode(t, err, cc112.EInvalid)
	must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor(c.Phone, t0, 20)))
	f.clock.Advance(75 * time.Second) // the call-taker asks and types
	inc := must[*cc112.Incident](t)(f.svc.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, Priority: 1, CallID: c.ID}, "", ""))
	// The response clock starts at the call's answer, not at the save.
	if inc.CallReceivedAt == nil || !inc.CallReceivedAt.Equal(c.StartedAt) || inc.ReceivedAt.Sub(c.StartedAt) != 75*time.Second {
		t.Fatalf("call_received_at %v, received_at %v; want the call's start %v, 75 s before", inc.CallReceivedAt, inc.ReceivedAt, c.StartedAt)
	}
	if inc.Location != tugu || inc.Caller == nil || inc.Caller.Phone != c.Phone || inc.Caller.NIK != c.NIK ||
		inc.Callers != 1 || inc.Source != "phone" {
		t.Fatalf("incident %+v caller %+v", inc, inc.Caller)
	}
	if got := must[*Call](t)(f.svc.Call(c.ID)); got.Status != CallLinked || got.IncidentID != inc.ID {
		t.Fatalf("call not linked: %+v", got)
	}
	_, err = f.svc.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, CallID: c.ID}, "", "")
	wantCode(t, err, cc112.EConflict)

	// A second caller 300 m away reports a gas leak: the fire is a
	// suggestion; a flood 300 m away or a fire 2 km away is not.
	flood := f.incident(cc112.CatFlood, near(tugu, 300, 0))
	far := f.incident(cc112.CatFire, near(tugu, 2000, 0))
	_ = flood
	_ = far
	dups := must[[]Duplicate](t)(f.svc.Duplicates(near(tugu, 0, 300), cc112.CatGasLeak))
	if len(dups) != 1 || dups[0].ID != inc.ID || dups[0].DistanceM < 290 || dups[0].DistanceM > 310 {
		t.Fatalf("duplicates %+v", dups)
	}
	c2 := f.call("081300000002")
	linked := must[*cc112.Incident](t)(f.svc.LinkCall(ctx, inc.ID, c2.ID, "", ""))
	if linked.Callers != 2 {
		t.Fatalf("callers %d", linked.Callers)
	}
	_, err = f.svc.LinkCall(ctx, inc.ID, c2.ID, "", "")
	wantCode(t, err, cc112.EConflict)
	_, err = f.svc.LinkCall(ctx, "inc_nope", f.call("081300000003").ID, "", "")
	wantCode(t, err, cc112.ENotFound)

	// 31 minutes later the fire is no longer a likely duplicate.
	f.clock.Advance(31 * time.Minute)
	if dups := must[[]Duplicate](t)(f.svc.Duplicates(tugu, cc112.CatFire)); len(dups) != 0 {
		t.Fatalf("old incident suggested: %+v", dups)
	}
	// The incident, its callers and the links survive a restart: they were
	// journaled in the same commands.
	f.restart()
	got := must[*cc112.Incident](t)(f.eng.Incident(inc.ID))
	if got.Callers != 2 || got.CallReceivedAt == nil || !got.CallReceivedAt.Equal(c.StartedAt) {
		t.Fatalf("after restart callers %d, call_received_at %v", got.Callers, got.CallReceivedAt)
	}
	if c := must[*Call](t)(f.svc.Call(c2.ID)); c.IncidentID != inc.ID {
		t.Fatalf("after restart call %+v", c)
	}
}

func TestDuplicatesExcludeClosedAndIncompatible(t *testing.T) {
	f := newFixture(t, Config{})
	closed := f.incident(cc112.CatFire, tugu)
	must[*cc112.Incident](t)(f.eng.CloseIncident(ctx, closed.ID, "false alarm", "", ""))
	med := f.incident(cc112.CatMedical, near(tugu, 100, 0))
	tests := []struct {
		cat  cc112.Category
		want int
	}{{cc112.CatFire, 0}, {cc112.CatTrafficAccident, 1}, {cc112.CatMedical, 1}, {cc112.CatFlood, 0}, {"", 1}}
	for _, tt := range tests {
		dups := must[[]Duplicate](t)(f.svc.Duplicates(tugu, tt.cat))
		if len(dups) != tt.want || (tt.want == 1 && dups[0].ID != med.ID) {
			t.Errorf("%q: %+v", tt.cat, dups)
		}
	}
	_, err := f.svc.Duplicates(tugu, "ufo")
	wantCode(t, err, cc112.EInvalid)
	if !Compatible(cc112.CatGasLeak, cc112.CatFire) || Compatible(cc112.CatFire, cc112.CatMedical) {
		t.Fatal("compatibility table")
	}
}

// An AML fix farther from a hand-placed pin than its accuracy radius does
// not move the pin: both are kept, flagged, until the call-taker sets the
// location again. A fix within its radius of the pin moves it as before.
func TestAMLDoesNotSilentlyMoveAHandPlacedPin(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.call("081234567890")
	pinLat, pinLon := tugu.Lat-0.01, tugu.Lon // ≈1.1 km south of the fix
	must[*Call](t)(f.svc.SetLocation(ctx, c.ID, ManualLocation{Lat: &pinLat, Lon: &pinLon, Source: "manual"}, "", ""))
	res := must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0, 50)))
	if res.Status != "conflict" {
		t.Fatalf("result %+v", res)
	}
	check := func(when string) {
		t.Helper()
		got := must[*Call](t)(f.svc.Call(c.ID))
		if got.Location == nil || got.Location.Source != "manual" || got.Location.Lat != pinLat ||
			got.AMLLocation == nil || got.AMLLocation.Point() != tugu || !got.LocationConflict {
			t.Fatalf("%s: location %+v, aml %+v, conflict %v", when, got.Location, got.AMLLocation, got.LocationConflict)
		}
	}
	check("after the fix")
	if live, ok := f.pub.last(cc112.LiveCallUpdated).(*Call); !ok || !live.LocationConflict {
		t.Fatalf("live feed got %#v", f.pub.last(cc112.LiveCallUpdated))
	}
	f.restart()
	check("after a restart")

	// The call-taker chooses (here the fix's point, by hand): settled.
	must[*Call](t)(f.svc.SetLocation(ctx, c.ID, ManualLocation{Lat: &tugu.Lat, Lon: &tugu.Lon, Source: "manual"}, "", ""))
	if got := must[*Call](t)(f.svc.Call(c.ID)); got.LocationConflict || got.Location.Point() != tugu || got.AMLLocation == nil {
		t.Fatalf("chosen: %+v", got)
	}
	// A newer fix within its radius of the pin moves it.
	if res := must[*AMLResult](t)(f.svc.AttachAML(ctx, amlFor("+6281234567890", t0.Add(time.Second), 50))); res.Status != "attached" {
		t.Fatalf("agreeing fix: %+v", res)
	}
	if got := must[*Call](t)(f.svc.Call(c.ID)); got.LocationConflict || got.Location.Source != "aml" || got.AMLLocation != nil {
		t.Fatalf("agreeing fix: %+v", got)
	}
}

// TestMergeMovesCalls: the calls of a merged duplicate point to the
// incident that survives, keep their status and link time, and go on
// pointing there after a restart; a refused merge moves nothing.
func TestMergeMovesCalls(t *testing.T) {
	f := newFixture(t, Config{})
	by := dispatch.Author{Username: "budi", Role: "dispatcher"}
	a, b, c := f.call("081300000011"), f.call("081300000012"), f.call("081300000013")
	for _, id := range []string{a.ID, b.ID} {
		must[*Call](t)(f.svc.SetLocation(ctx, id, ManualLocation{Lat: &tugu.Lat, Lon: &tugu.Lon, Source: "manual"}, "", ""))
	}
	keep := must[*cc112.Incident](t)(f.svc.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, CallID: a.ID}, "", ""))
	f.clock.Advance(time.Minute)
	dup := must[*cc112.Incident](t)(f.svc.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, CallID: b.ID}, "", ""))
	must[*cc112.Incident](t)(f.svc.LinkCall(ctx, dup.ID, c.ID, "", ""))
	must[*Call](t)(f.svc.CloseCall(ctx, c.ID, "selesai", "", ""))
	linkedAt := *must[*Call](t)(f.svc.Call(b.ID)).LinkedAt

	_, err := f.svc.MergeIncident(ctx, dup.ID, dup.ID, by, "", "")
	wantCode(t, err, cc112.EInvalid)
	if got := must[*Call](t)(f.svc.Call(b.ID)); got.IncidentID != dup.ID {
		t.Fatalf("a refused merge moved the call: %+v", got)
	}
	f.clock.Advance(time.Minute)
	merged := must[*cc112.Incident](t)(f.svc.MergeIncident(ctx, dup.ID, keep.ID, by, "", ""))
	if merged.ID != keep.ID || merged.Callers != 3 {
		t.Fatalf("merged %+v", merged)
	}
	check := func(when string) {
		t.Helper()
		for _, tc := range []struct {
			id     string
			status string
		}{{a.ID, CallLinked}, {b.ID, CallLinked}, {c.ID, CallClosed}} {
			got := must[*Call](t)(f.svc.Call(tc.id))
			if got.IncidentID != keep.ID || got.Status != tc.status {
				t.Errorf("%s: call %s on %s (%s), want %s (%s)", when, tc.id, got.IncidentID, got.Status, keep.ID, tc.status)
			}
		}
		if got := must[*Call](t)(f.svc.Call(b.ID)); !got.LinkedAt.Equal(linkedAt) {
			t.Errorf("%s: linked at %v, want %v (kept)", when, got.LinkedAt, linkedAt)
		}
		if d := must[*cc112.Incident](t)(f.eng.Incident(dup.ID)); d.MergedInto != keep.ID {
			t.Errorf("%s: duplicate merged into %q", when, d.MergedInto)
		}
	}
	check("after the merge")
	if live, ok := f.pub.last(cc112.LiveCallUpdated).(*Call); !ok || live.IncidentID != keep.ID {
		t.Errorf("live feed got %#v", f.pub.last(cc112.LiveCallUpdated))
	}
	f.restart()
	check("after a restart")
	// The moved calls are the survivor's now: a second merge moves them on.
	third := f.incident(cc112.CatFire, tugu)
	must[*cc112.Incident](t)(f.svc.MergeIncident(ctx, keep.ID, third.ID, by, "", ""))
	for _, id := range []string{a.ID, b.ID, c.ID} {
		if got := must[*Call](t)(f.svc.Call(id)); got.IncidentID != third.ID {
			t.Errorf("second merge: call %s on %s", id, got.IncidentID)
		}
	}
}
