package live

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/dispatch"
)

// seqOf reads the seq of a relayed message.
func seqOf(t *testing.T, payload []byte) (typ string, seq uint64) {
	t.Helper()
	var m relayed
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	return m.Type, m.Seq
}

// A snapshot asked of a tap that is behind comes out in its place: after
// the message of its seq, before the next.
func TestTapHandsSnapshotInPlace(t *testing.T) {
	f := newFixture(t, Config{})
	tap := f.hub.Tap()
	defer tap.Close()
	units := f.availableUnits()
	start := f.hub.Stats().Seq
	for i := 0; i < 5; i++ {
		f.move(units[0], -7.26-float64(i)*0.001, 112.75)
	}
	if err := tap.WantSnapshot(); err != nil {
		t.Fatal(err)
	}
	f.move(units[0], -7.27, 112.75)
	var got []string
	for k := 0; k < 4; k++ {
		batch := tap.Next(nil, 3)
		for _, p := range batch {
			typ, seq := seqOf(t, p)
			got = append(got, typ+" "+strconv.FormatUint(seq-start, 10))
		}
		tap.Done()
	}
	want := []string{"event 1", "event 2", "event 3", "event 4", "event 5", "snapshot 5", "event 6"}
	if len(got) != len(want) {
		t.Fatalf("tap gave %v, want %v", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("tap gave %v, want %v", got, want)
		}
	}
}

// A follower fed with a leader's messages serves the leader's epoch and
// seqs to its clients, whose view equals the leader's state; switching
// epochs (the follower adopts the leader's, or Redis is lost) closes its
// clients with 1012, and they get a snapshot of the new epoch.
func TestFollowerServesLeaderEpoch(t *testing.T) {
	leader, standby := newFixture(t, Config{}), newFixture(t, Config{})
	standby.eng.SetStandby()
	fol := standby.hub.Follower(standby.eng.FollowPosition)
	tap := leader.hub.Tap()
	defer tap.Close()
	pump := func() {
		t.Helper()
		for {
			batch := tap.Next(nil, 64)
			if len(batch) == 0 {
				return
			}
			for _, p := range batch {
				fol.Message(p)
			}
			tap.Done()
		}
	}
	units := leader.availableUnits()

	own := standby.dial("")
	if m := own.mustRead(); m.Type != "snapshot" || m.Epoch != standby.hub.Epoch() {
		t.Fatalf("before following: %s of %s", m.Type, m.Epoch)
	}
	leader.move(units[0], -7.26, 112.75)
	pump()
	if fol.InStep() {
		t.Fatal("in step without a snapshot")
	}
	if err := tap.WantSnapshot(); err != nil {
		t.Fatal(err)
	}
	pump()
	if !fol.InStep() || standby.hub.Epoch() != leader.hub.Epoch() {
		t.Fatalf("after the leader's snapshot: in step %v, epoch %s, leader's %s", fol.InStep(), standby.hub.Epoch(), leader.hub.Epoch())
	}
	if code := own.closeCode(); code != websocket.CloseServiceRestart {
		t.Fatalf("client of the old epoch closed with %d, want 1012", code)
	}

	c := standby.dial("")
	v := &view{}
	if err := v.apply(c.mustRead()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		leader.move(units[i%len(units)], -7.26-float64(i)*0.001, 112.75)
	}
	ctx := context.Background()
	inc, err := leader.eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatFire, Priority: 1,
		Location: &leader.city.Units[0].Location}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leader.eng.CloseIncident(ctx, inc.ID, "false alarm", "", ""); err != nil {
		t.Fatal(err)
	}
	pump()
	for v.seq < leader.hub.Stats().Seq {
		if err := v.apply(c.mustRead()); err != nil {
			t.Fatal(err)
		}
	}
	if v.epoch != leader.hub.Epoch() {
		t.Fatalf("follower's client in epoch %s, leader's is %s", v.epoch, leader.hub.Epoch())
	}
	sameAsEngine(t, "follower's client", v, leader.eng)
	late := &view{} // a client arriving now gets the follower's own snapshot
	if err := late.apply(standby.dial("").mustRead()); err != nil {
		t.Fatal(err)
	}
	sameAsEngine(t, "late client", late, leader.eng)
	if u, _ := standby.eng.Unit(units[19%len(units)]); u.Location.Lat != -7.26-19*0.001 {
		t.Fatalf("standby's engine has %v, want the relayed position", u.Location)
	}

	fol.Lost()
	if code := c.closeCode(); code != websocket.CloseServiceRestart {
		t.Fatalf("on Redis lost: closed with %d, want 1012", code)
	}
	if m := standby.dial("?epoch=" + v.epoch + "&since=" + strconv.FormatUint(v.seq, 10)).mustRead(); m.Type != "snapshot" || m.Epoch == leader.hub.Epoch() {
		t.Fatalf("after Redis was lost: %s of %s, want a snapshot of the standby's own epoch", m.Type, m.Epoch)
	}
}
