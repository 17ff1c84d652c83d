package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/internal/pgtest"
	"cc112/internal/redistest"
)

// liveMsg is one message of the live feed, with its bytes.
type liveMsg struct {
	Type  string          `json:"type"`
	Epoch string          `json:"epoch"`
	Seq   uint64          `json:"seq"`
	Event string          `json:"event"`
	Data  json.RawMessage `json:"data"`
	Units []cc112.Unit    `json:"units"`
	raw   []byte
}

// feedClient is a live client that behaves like the console: it resumes
// with ?epoch=E&since=N whenever the server closes, and checks that every
// event follows the previous message (seq+1, same epoch). It hands every
// message to the test.
type feedClient struct {
	t    *testing.T
	url  string
	msgs chan liveMsg
	stop chan struct{}
	done chan struct{}

	mu sync.Mutex
	ws *websocket.Conn

	token string
}

func dialFeed(t *testing.T, base string) *feedClient {
	t.Helper()
	c := &feedClient{t: t, url: "ws" + strings.TrimPrefix(base, "http") + "/api/v1/live", token: clusterToken(t, base),
		msgs: make(chan liveMsg, 100_000), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	t.Cleanup(c.close)
	return c
}

func (c *feedClient) close() {
	select {
	case <-c.stop:
		return
	default:
	}
	close(c.stop)
	c.mu.Lock()
	if c.ws != nil {
		_ = c.ws.Close()
	}
	c.mu.Unlock()
	<-c.done
}

func (c *feedClient) run() {
	defer close(c.done)
	var epoch string
	var seq uint64
	for {
		u := c.url
		if epoch != "" {
			u += fmt.Sprintf("?epoch=%s&since=%d", epoch, seq)
		}
		ws, _, err := websocket.DefaultDialer.Dial(u, authHeader(c.token))
		if err == nil {
			c.mu.Lock()
			c.ws = ws
			c.mu.Unlock()
			for {
				_, raw, err := ws.ReadMessage()
				if err != nil {
					break
				}
				var m liveMsg
				if err := json.Unmarshal(raw, &m); err != nil {
					c.t.Errorf("unreadable live message %s", raw)
					break
				}
				m.raw = raw
				if m.Type == "event" && (m.Epoch != epoch || m.Seq != seq+1) {
					c.t.Errorf("event %s/%d after %s/%d: not consecutive", m.Epoch, m.Seq, epoch, seq)
				}
				epoch, seq = m.Epoch, m.Seq
				c.msgs <- m
			}
			_ = ws.Close()
		}
		select {
		case <-c.stop:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// until reads messages until ok says so (30 s at most) and returns them.
func (c *feedClient) until(what string, ok func(liveMsg) bool) []liveMsg {
	c.t.Helper()
	var got []liveMsg
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-c.msgs:
			got = append(got, m)
			if ok(m) {
				return got
			}
		case <-timeout:
			c.t.Fatalf("%s: not seen within 30 s (%d messages read)", what, len(got))
		}
	}
}

// snapshotIn waits for a snapshot of epoch (the standby may first serve its
// own feed and switch when it reaches the leader's through Redis).
func (c *feedClient) snapshotIn(epoch string) liveMsg {
	c.t.Helper()
	got := c.until("a snapshot of epoch "+epoch, func(m liveMsg) bool { return m.Type == "snapshot" && m.Epoch == epoch })
	return got[len(got)-1]
}

// movedTo reports whether m is unit id's move to lat.
func movedTo(m liveMsg, id string, lat float64) bool {
	if m.Event != "unit.moved" {
		return false
	}
	var u cc112.Unit
	return json.Unmarshal(m.Data, &u) == nil && u.ID == id && u.Location.Lat == lat
}

func postPosition(t *testing.T, base, unit string, lat float64) {
	t.Helper()
	status, body, err := postJSON(base+"/api/v1/units/"+unit+"/position", clusterToken(t, base), fmt.Sprintf(`{"lat":%f,"lon":112.75}`, lat))
	if err != nil || status != http.StatusOK {
		t.Fatalf("position of %s via %s: %d %s %v", unit, base, status, body, err)
	}
}

// eventsAfter keeps the events of epoch after seq from msgs, by seq.
func eventsAfter(msgs []liveMsg, epoch string, seq uint64) map[uint64]liveMsg {
	out := map[uint64]liveMsg{}
	for _, m := range msgs {
		if m.Type == "event" && m.Epoch == epoch && m.Seq > seq {
			out[m.Seq] = m
		}
	}
	return out
}

// sameEvents checks that the standby's client got, byte for byte, the
// leader client's events from..to.
func sameEvents(t *testing.T, leader, standby map[uint64]liveMsg, from, to uint64) {
	t.Helper()
	for s := from; s <= to; s++ {
		l, ok1 := leader[s]
		f, ok2 := standby[s]
		if !ok1 || !ok2 {
			t.Fatalf("seq %d: leader's client has it %v, standby's %v", s, ok1, ok2)
		}
		if !bytes.Equal(l.raw, f.raw) {
			t.Fatalf("seq %d differs:\nleader  %s\nstandby %s", s, l.raw, f.raw)
		}
	}
}

// Two dispatchd on one PostgreSQL and one Redis: a client of the standby
// gets the leader's feed (same epoch, consecutive seqs, same bytes),
// including unit moves the journal only samples every 15 s; the standby's
// API shows the latest position. Redis is then killed and restarted under
// traffic: the standby's client falls back to the standby's own feed, is
// brought back to the leader's by a snapshot, and goes on gapless.
func TestRedisFeedAcrossInstances(t *testing.T) {
	dbURL := pgtest.URL(t)
	rds := redistest.Start(t)
	args := "-addr 127.0.0.1:0 -database-url " + dbURL + " -redis-url " + rds.URL() + " -demo -sim=false"
	a := startChild(t, args)
	b := startChild(t, args)
	aURL, bURL := childURL(a), childURL(b)

	lc := dialFeed(t, aURL)
	lsnap := lc.until("the leader's snapshot", func(m liveMsg) bool { return m.Type == "snapshot" })[0]
	epoch := lsnap.Epoch
	sc := dialFeed(t, bURL)
	ssnap := sc.snapshotIn(epoch)
	if len(lsnap.Units) < 2 {
		t.Fatalf("leader's snapshot holds %d units", len(lsnap.Units))
	}
	u1, u2 := lsnap.Units[0].ID, lsnap.Units[1].ID

	// A burst of commands and moves, through both instances (the standby
	// forwards commands to the leader).
	for i := 0; i < 40; i++ {
		base := []string{aURL, bURL}[i%2]
		postPosition(t, base, []string{u1, u2}[i%2], -7.26-float64(i)*0.0001)
		if i%8 == 0 {
			if _, ok := keyedIncident(clusterClient(t, base), base, fmt.Sprintf("redis-%d", i), i); !ok {
				t.Fatalf("incident %d not acknowledged", i)
			}
		}
	}
	last := -7.26 - 39*0.0001
	lmsgs := lc.until("the leader's last move", func(m liveMsg) bool { return movedTo(m, u2, last) })
	smsgs := sc.until("the last move on the standby", func(m liveMsg) bool { return movedTo(m, u2, last) })
	lend, send := lmsgs[len(lmsgs)-1], smsgs[len(smsgs)-1]
	if send.Epoch != epoch || send.Seq != lend.Seq {
		t.Fatalf("last move: standby's client at %s/%d, leader's at %s/%d", send.Epoch, send.Seq, epoch, lend.Seq)
	}
	from := max(lsnap.Seq, ssnap.Seq) + 1
	sameEvents(t, eventsAfter(lmsgs, epoch, 0), eventsAfter(smsgs, epoch, 0), from, lend.Seq)

	// A unit moved twice within seconds: the journal samples only the
	// first, so only the relay can bring the second to the standby.
	postPosition(t, aURL, u1, -7.2701)
	postPosition(t, aURL, u1, -7.2702)
	sc.until("the second quick move on the standby", func(m liveMsg) bool { return movedTo(m, u1, -7.2702) })
	var unit cc112.Unit
	getJSON(t, bURL+"/api/v1/units/"+u1, &unit)
	if unit.Location.Lat != -7.2702 {
		t.Fatalf("standby's API has %s at %v, want the latest move -7.2702", u1, unit.Location)
	}

	// Redis dies under traffic and comes back empty.
	rds.Stop()
	postPosition(t, aURL, u1, -7.2801) // the leader keeps working alone
	sc.until("the standby's own feed while Redis is away", func(m liveMsg) bool { return m.Type == "snapshot" && m.Epoch != epoch })
	postPosition(t, aURL, u1, -7.2802)
	rds.Start()
	back := sc.snapshotIn(epoch)
	for i := 0; i < 20; i++ {
		postPosition(t, aURL, u2, -7.29-float64(i)*0.0001)
	}
	last = -7.29 - 19*0.0001
	lmsgs = lc.until("the leader's moves after the restart", func(m liveMsg) bool { return movedTo(m, u2, last) })
	smsgs = sc.until("the standby's moves after the restart", func(m liveMsg) bool { return movedTo(m, u2, last) })
	lend, send = lmsgs[len(lmsgs)-1], smsgs[len(smsgs)-1]
	if send.Epoch != epoch || send.Seq != lend.Seq {
		t.Fatalf("after the restart: standby's client at %s/%d, leader's at %s/%d", send.Epoch, send.Seq, epoch, lend.Seq)
	}
	sameEvents(t, eventsAfter(lmsgs, epoch, 0), eventsAfter(smsgs, epoch, 0), back.Seq+1, lend.Seq)
	var snapUnit *cc112.Unit
	for k := range back.Units {
		if back.Units[k].ID == u1 {
			snapUnit = &back.Units[k]
		}
	}
	if snapUnit == nil || snapUnit.Location.Lat != -7.2802 {
		t.Fatalf("the re-sync snapshot has %s at %v, want the move made while Redis was away", u1, snapUnit)
	}

	// The leader dies: the promoted standby's feed starts a new epoch (its
	// client gets a snapshot) and is relayed; the old leader returns as a
	// standby that serves the new leader's feed.
	kill9(t, a)
	retryIncident(t, clusterClient(t, bURL), []string{bURL}, "redis-after-failover", 1)
	promoted := sc.until("the promoted standby's snapshot", func(m liveMsg) bool { return m.Type == "snapshot" && m.Epoch != epoch })
	epoch2 := promoted[len(promoted)-1].Epoch
	a2URL := childURL(startChild(t, args))
	rc := dialFeed(t, a2URL)
	rc.snapshotIn(epoch2)
	postPosition(t, bURL, u2, -7.3001)
	bm := sc.until("the new leader's move", func(m liveMsg) bool { return movedTo(m, u2, -7.3001) })
	rm := rc.until("the new leader's move on the returned instance", func(m liveMsg) bool { return movedTo(m, u2, -7.3001) })
	if l, r := bm[len(bm)-1], rm[len(rm)-1]; l.Epoch != epoch2 || !bytes.Equal(l.raw, r.raw) {
		t.Fatalf("after failover: new leader's client got %s, returned instance's %s", l.raw, r.raw)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	getJSONAs(t, url, clusterToken(t, url[:strings.Index(url, "/api/")]), v)
}

// getJSONAs GETs url with a bearer token and decodes its 200 answer into v.
func getJSONAs(t *testing.T, url, token string, v any) {
	t.Helper()
	res, err := get(url, token)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
