package redisfeed_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/city"
	"cc112/dispatch"
	"cc112/internal/enginetest"
	"cc112/internal/redistest"
	"cc112/internal/testenv"
	"cc112/live"
	"cc112/redisfeed"
)

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// instance is an engine on its own bolt journal with the demo city, and
// its live hub.
type instance struct {
	eng  *dispatch.Engine
	hub  *live.Hub
	city *city.Pack

	moves int
}

func newInstance(t *testing.T) *instance {
	t.Helper()
	eng, city := enginetest.Demo(t)
	quiet := slog.New(slog.DiscardHandler)
	hub, err := live.New(live.Config{Source: eng, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	eng.SetPublisher(hub)
	t.Cleanup(func() { _ = hub.Close(context.Background()) })
	return &instance{eng: eng, hub: hub, city: city}
}

// traffic makes n unit moves on the leader and an incident every ten.
func (in *instance) traffic(t *testing.T, n int) {
	t.Helper()
	if err := in.changes(n); err != nil {
		t.Fatal(err)
	}
}

func (in *instance) changes(n int) error {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		in.moves++
		u := in.city.Units[in.moves%len(in.city.Units)]
		lat, lon := u.Location.Lat+0.0001*float64(in.moves%50), u.Location.Lon
		if _, err := in.eng.UpdatePosition(ctx, u.ID, dispatch.Position{Lat: &lat, Lon: &lon}); err != nil {
			return err
		}
		if i%10 == 0 {
			loc := u.Location
			if _, err := in.eng.CreateIncident(ctx, dispatch.NewIncident{Category: cc112.CatMedical, Priority: 2,
				Location: &loc, Description: fmt.Sprintf("relay %d", in.moves)}, "", ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// relay runs the leader's feed and a follower's subscription until stop
// or the end of the test.
func relay(t *testing.T, url, prefix string, leader *live.Hub, follower *live.Follower) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	stop = func() { cancel(); wg.Wait() }
	t.Cleanup(stop)
	if leader != nil {
		pub, err := redisfeed.Dial(url)
		if err != nil {
			t.Fatal(err)
		}
		tap := leader.Tap()
		feed := redisfeed.New(pub, tap, nil, redisfeed.Options{Prefix: prefix})
		wg.Add(1)
		go func() { defer wg.Done(); defer pub.Close(); defer tap.Close(); feed.Run(ctx) }()
	}
	if follower != nil {
		sub, err := redisfeed.Dial(url)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); defer sub.Close(); redisfeed.Subscribe(ctx, sub, prefix, nil, follower) }()
	}
	return stop
}

// inStep waits until the follower's hub serves the leader's epoch at the
// leader's seq.
func inStep(t *testing.T, leader, follower *live.Hub) {
	t.Helper()
	waitFor(t, "the follower to serve the leader's feed", func() bool {
		l, f := leader.Stats(), follower.Stats()
		return follower.Following() && l.Epoch == f.Epoch && l.Seq == f.Seq
	})
}

// sameMessages reads the same span of messages from a tap on each hub and
// compares them byte for byte.
func sameMessages(t *testing.T, lt, ft *live.Tap, n int) {
	t.Helper()
	l, f := lt.Next(nil, n+1), ft.Next(nil, n+1)
	if len(l) != n || len(f) != n {
		t.Fatalf("leader has %d new messages, follower %d, want %d", len(l), len(f), n)
	}
	for k := range l {
		if !bytes.Equal(l[k], f[k]) {
			t.Fatalf("message %d differs:\nleader   %s\nfollower %s", k, l[k], f[k])
		}
	}
}

func sameSnapshot(t *testing.T, leader *dispatch.Engine, follower live.Source) {
	t.Helper()
	want, _ := json.Marshal(leader.Snapshot(nil))
	got, _ := json.Marshal(follower.Snapshot(nil))
	if !bytes.Equal(want, got) {
		t.Fatalf("follower's snapshot differs from the leader's state:\nleader   %.400s\nfollower %.400s", want, got)
	}
}

// A follower serves the leader's very messages (same epoch, seqs, bytes),
// keeps a snapshot equal to the leader's state, and gives its engine the
// leader's live positions.
func TestFollowerServesLeadersFeed(t *testing.T) {
	url := testenv.RedisURL(t)
	prefix := fmt.Sprintf("test-%d", time.Now().UnixNano())
	leader, standby := newInstance(t), newInstance(t)
	standby.eng.SetStandby()
	f := standby.hub.Follower(standby.eng.FollowPosition)
	relay(t, url, prefix, nil, f)
	stopLeader := relay(t, url, prefix, leader.hub, nil)
	leader.traffic(t, 20)
	inStep(t, leader.hub, standby.hub)

	lt, ft := leader.hub.Tap(), standby.hub.Tap()
	defer lt.Close()
	defer ft.Close()
	leader.traffic(t, 300)
	inStep(t, leader.hub, standby.hub)
	sameMessages(t, lt, ft, 330)
	sameSnapshot(t, leader.eng, f)

	// The standby's engine (its API) has the latest positions, which its
	// journal does not.
	for _, u := range leader.eng.Units() {
		got, err := standby.eng.Unit(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Location != u.Location || !got.PositionAt.Equal(u.PositionAt) {
			t.Fatalf("unit %s on the standby at %v (%v), leader has %v (%v)", u.ID, got.Location, got.PositionAt, u.Location, u.PositionAt)
		}
	}

	// A new leader (failover) starts a new epoch: the follower re-syncs.
	stopLeader()
	leader2 := newInstance(t)
	relay(t, url, prefix, leader2.hub, nil)
	leader2.traffic(t, 5)
	inStep(t, leader2.hub, standby.hub)
	sameSnapshot(t, leader2.eng, f)
}

// Redis is killed and restarted while the leader keeps changing things: the
// follower falls back to its own feed (a new epoch of its own), then
// re-syncs from a fresh snapshot and serves the leader's messages again.
func TestRedisRestartDuringTraffic(t *testing.T) {
	srv := redistest.Start(t)
	leader, standby := newInstance(t), newInstance(t)
	standby.eng.SetStandby()
	f := standby.hub.Follower(nil)
	relay(t, srv.URL(), "t", leader.hub, f)
	leader.traffic(t, 10)
	inStep(t, leader.hub, standby.hub)

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if err := leader.changes(1); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	srv.Stop()
	waitFor(t, "the follower to serve its own feed", func() bool { return !standby.hub.Following() })
	if standby.hub.Epoch() == leader.hub.Epoch() {
		t.Fatal("the follower kept the leader's epoch while it cannot read it")
	}
	srv.Start()
	waitFor(t, "the follower to follow again", func() bool {
		return standby.hub.Following() && standby.hub.Epoch() == leader.hub.Epoch()
	})
	close(stop)
	<-done
	inStep(t, leader.hub, standby.hub)
	sameSnapshot(t, leader.eng, f)
	lt2, ft2 := leader.hub.Tap(), standby.hub.Tap()
	defer lt2.Close()
	defer ft2.Close()
	leader.traffic(t, 50)
	inStep(t, leader.hub, standby.hub)
	sameMessages(t, lt2, ft2, 55)
}
