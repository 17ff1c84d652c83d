package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
	"cc112/internal/pgtest"
)

// TestKill9DuringCheckpoint: a real dispatchd writes a checkpoint every
// few milliseconds while incidents pour in, and is killed with SIGKILL,
// again and again on the same state, until one kill lands while a
// checkpoint is being written (a half-written temporary file on the
// embedded journal; on PostgreSQL the checkpoint's transaction is cut, so
// any kill under this load is most likely inside one). The next start
// loads a complete checkpoint, replays the tail, and has every incident
// that was acknowledged. Both journals.
func TestKill9DuringCheckpoint(t *testing.T) {
	for _, journal := range []string{"bolt", "postgres"} {
		t.Run(journal, func(t *testing.T) {
			state := t.TempDir()
			args := "-addr 127.0.0.1:0 -state " + state
			var dbURL string
			if journal == "postgres" {
				dbURL = pgtest.URL(t)
				args = "-addr 127.0.0.1:0 -database-url " + dbURL
			}
			args += " -demo -sim=false -checkpoint-every 1 -checkpoint-interval 5ms"
			var acked []string
			torn := false
			for round := 0; round < 30 && !(torn && round >= 2); round++ { // a quiet machine writes a checkpoint fast: many kills may miss one
				acked = append(acked, killDuringTraffic(t, args)...)
				if journal == "bolt" {
					tmps, _ := filepath.Glob(filepath.Join(state, "checkpoint-*.tmp"))
					torn = torn || len(tmps) > 0
				} else {
					torn = true
				}
			}
			if !torn && journal == "bolt" {
				// On a quiet machine a checkpoint of the demo city is written
				// in well under a millisecond and 30 kills may all miss it:
				// leave what a kill mid-write leaves (a half-written temp file
				// beside the complete ones), so the start below meets it.
				ckpts, _ := filepath.Glob(filepath.Join(state, "checkpoint-*.ckpt"))
				if len(ckpts) == 0 {
					t.Fatal("no checkpoint was written during the traffic")
				}
				data, err := os.ReadFile(ckpts[len(ckpts)-1])
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(state, "checkpoint-999999999.tmp"), data[:len(data)/2], 0o600); err != nil {
					t.Fatal(err)
				}
				t.Log("no kill landed mid-checkpoint: a half-written temp file planted instead")
			}

			var logBuf bytes.Buffer
			m := NewMain()
			m.Addr, m.City.Demo = "127.0.0.1:0", true
			m.Store.StateDir, m.Store.DatabaseURL = state, dbURL
			m.Logger = slog.New(slog.NewTextHandler(&syncWriter{w: &logBuf}, nil))
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer m.Close(context.Background())
			st := m.Engine.CheckpointStats()
			if st.LoadedSeq == 0 || st.Corrupt != 0 {
				t.Fatalf("start after kill -9: %+v, want a complete checkpoint loaded", st)
			}
			if journal == "postgres" {
				var n int
				conn, err := pgx.Connect(context.Background(), dbURL)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close(context.Background())
				if err := conn.QueryRow(context.Background(), "select count(*) from checkpoints").Scan(&n); err != nil || n == 0 {
					t.Fatalf("%d checkpoints in the table: %v", n, err)
				}
			}
			have := map[string]bool{}
			list, err := m.Engine.IncidentsInMemory("all")
			if err != nil {
				t.Fatal(err)
			}
			active := 0
			for _, inc := range list {
				have[inc.ID] = true
				if inc.Active() {
					active++
				}
			}
			for _, id := range acked {
				if !have[id] {
					t.Errorf("acknowledged incident %s lost", id)
				}
			}
			// The metrics index came back with the checkpoint (its part) and
			// the tail: one record for each incident, as many open.
			if m.Metrics.Len() != len(list) || m.Metrics.Open() != active {
				t.Errorf("metrics index: %d incidents, %d open; the engine has %d, %d open", m.Metrics.Len(), m.Metrics.Open(), len(list), active)
			}
			t.Logf("%d acknowledged incidents over the kills, all present; started from checkpoint %d of %d events",
				len(acked), st.LoadedSeq, m.Engine.LastSeq())
		})
	}
}

// killDuringTraffic starts dispatchd, posts incidents from four clients
// and kills it with SIGKILL in the middle; it returns the ids of the
// incidents the server acknowledged.
func killDuringTraffic(t *testing.T, args string) []string {
	t.Helper()
	child := startChild(t, args)
	base := childURL(child)
	token := login(t, base, "calltaker")
	var (
		mu    sync.Mutex
		acked []string
		n     atomic.Int64
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"category":"fire","priority":1,"location":{"lat":%f,"lon":112.74},"description":"kill %d-%d"}`,
					-7.25-float64(i%50)*0.001, w, i)
				req, _ := http.NewRequest("POST", base+"/api/v1/incidents", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if err != nil {
					return // killed
				}
				var inc cc112.Incident
				err = json.NewDecoder(res.Body).Decode(&inc)
				res.Body.Close()
				if err == nil && res.StatusCode == http.StatusCreated {
					mu.Lock()
					acked = append(acked, inc.ID)
					mu.Unlock()
					n.Add(1)
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for n.Load() < 60 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), acked...)
}

// syncWriter lets a test read a log a server writes from many goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// TestStandbyStartsFromTheLeadersCheckpoint: a standby that starts on a
// PostgreSQL journal the leader checkpoints loads the newest checkpoint,
// replays only the tail, and then follows the leader.
func TestStandbyStartsFromTheLeadersCheckpoint(t *testing.T) {
	url := pgtest.URL(t)
	leader := startChild(t, "-addr 127.0.0.1:0 -database-url "+url+" -demo -sim=false -checkpoint-every 1 -checkpoint-interval 10ms")
	lURL := childURL(leader)
	client := bearer(clusterToken(t, lURL))
	var ids []string
	for i := range 10 {
		id, ok := keyedIncident(client, lURL, fmt.Sprintf("before-%d", i), i)
		if !ok {
			t.Fatalf("incident %d not acknowledged", i)
		}
		ids = append(ids, id)
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var newest int64
	for deadline := time.Now().Add(30 * time.Second); newest == 0; time.Sleep(20 * time.Millisecond) {
		_ = conn.QueryRow(context.Background(), "select coalesce(max(seq), 0) from checkpoints").Scan(&newest)
		if time.Now().After(deadline) {
			t.Fatal("the leader wrote no checkpoint")
		}
	}

	m := NewMain()
	m.Addr, m.City.Demo, m.Store.DatabaseURL = "127.0.0.1:0", true, url
	m.Logger = slog.New(slog.DiscardHandler)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	if st := m.Engine.CheckpointStats(); st.LoadedSeq == 0 || st.FullReplays != 0 {
		t.Fatalf("standby start: %+v, want the leader's checkpoint loaded", st)
	}
	if m.Engine.Writer() {
		t.Fatal("the second instance is not a standby")
	}
	for i := range 5 { // and it follows what comes after
		id, ok := keyedIncident(client, lURL, fmt.Sprintf("after-%d", i), i)
		if !ok {
			t.Fatalf("incident %d not acknowledged", i)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, err := m.Engine.Incident(id); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the standby never had incident %s", id)
			}
		}
	}
}
