package redisfeed

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"cc112/internal/testenv"
)

// collector is a Reader that keeps what it got.
type collector struct {
	mu      sync.Mutex
	msgs    []Message
	resyncs []int // len(msgs) at each Resync
}

func (c *collector) Message(m Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) Resync() {
	c.mu.Lock()
	c.resyncs = append(c.resyncs, len(c.msgs))
	c.mu.Unlock()
}

func (c *collector) lastSeq() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.msgs) == 0 {
		return 0
	}
	return c.msgs[len(c.msgs)-1].Seq
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ownRedis starts a private redis-server on a free loopback port (never the
// shared one), so that the test may stop and restart it.
type ownRedis struct {
	t    *testing.T
	bin  string
	port int
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	bin := testenv.Tool(t, "redis-server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &ownRedis{t: t, bin: bin, port: port}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *ownRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(r.port), "--save", "", "--appendonly", "no", "--dir", r.t.TempDir())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer c.Close()
	waitFor(r.t, "redis-server to answer", func() bool { return c.Ping(context.Background()).Err() == nil })
}

func (r *ownRedis) stop() {
	if r.cmd != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// The leader keeps publishing while Redis is stopped and restarted: the
// reader gets every message in order before the outage, is told to re-sync
// after it, and then gets the rest in order again; nobody had to restart.
func TestRedisRestartDuringTraffic(t *testing.T) {
	srv := startOwnRedis(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pubClient, err := Dial(srv.url())
	if err != nil {
		t.Fatal(err)
	}
	defer pubClient.Close()
	subClient, _ := Dial(srv.url())
	defer subClient.Close()

	feed := New(pubClient, "epoch-1", nil, Options{Prefix: "t"})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); feed.Run(ctx) }()
	got := &collector{}
	go func() { defer wg.Done(); Subscribe(ctx, subClient, "t", nil, got) }()
	defer wg.Wait()
	defer cancel()

	publish := func(n int) {
		for i := 0; i < n; i++ {
			feed.Publish("unit.moved", map[string]int{"i": i})
			feed.SetPosition("u1", json.RawMessage(fmt.Sprintf(`{"i":%d}`, i)))
			time.Sleep(time.Millisecond)
		}
	}
	// The reader starts from "now": wait until it reads before counting.
	waitFor(t, "the reader to catch the first message", func() bool {
		publish(1)
		return got.lastSeq() > 0
	})
	first := got.lastSeq()
	publish(100)
	waitFor(t, "100 messages", func() bool { return got.lastSeq() == first+100 })

	srv.stop()
	// Redis is gone: the leader goes on until it has given up on messages.
	waitFor(t, "the leader to drop messages while Redis is down", func() bool {
		publish(10)
		return feed.Dropped() > 0
	})
	srv.start()
	waitFor(t, "the reader to re-sync after the restart", func() bool {
		publish(1)
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.resyncs) > 0 && len(got.msgs) > got.resyncs[len(got.resyncs)-1]
	})
	publish(100)
	waitFor(t, "messages after the restart", func() bool { return got.lastSeq() == feed.seqNow() })

	got.mu.Lock()
	defer got.mu.Unlock()
	resyncAt := map[int]bool{}
	for _, i := range got.resyncs {
		resyncAt[i] = true
	}
	for i := 1; i < len(got.msgs); i++ {
		if !resyncAt[i] && got.msgs[i].Seq != got.msgs[i-1].Seq+1 {
			t.Fatalf("message %d: seq %d after %d without a re-sync", i, got.msgs[i].Seq, got.msgs[i-1].Seq)
		}
	}
	pos, err := Positions(context.Background(), subClient, "t")
	if err != nil {
		t.Fatal(err)
	}
	if string(pos["u1"]) != `{"i":99}` {
		t.Errorf("shared position of u1 = %s, want the latest", pos["u1"])
	}
}

// A single instance on the shared test Redis: epoch changes re-sync.
func TestNewEpochResyncs(t *testing.T) {
	rdb, err := Dial(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	prefix := fmt.Sprintf("test-%d", time.Now().UnixNano())
	defer rdb.Del(context.Background(), streamKey(prefix), positionsKey(prefix))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	got := &collector{}
	wg.Add(1)
	go func() { defer wg.Done(); Subscribe(ctx, rdb, prefix, nil, got) }()
	a := New(rdb, "a", nil, Options{Prefix: prefix})
	wg.Add(1)
	go func() { defer wg.Done(); a.Run(ctx) }()
	waitFor(t, "first message", func() bool { a.Publish("x", 1); return got.lastSeq() > 0 })
	b := New(rdb, "b", nil, Options{Prefix: prefix}) // a new leader
	wg.Add(1)
	go func() { defer wg.Done(); b.Run(ctx) }()
	b.Publish("x", 1)
	waitFor(t, "the new epoch", func() bool {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.msgs) > 0 && got.msgs[len(got.msgs)-1].Epoch == "b"
	})
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.resyncs) == 0 {
		t.Fatal("a new epoch did not re-sync the reader")
	}
}
