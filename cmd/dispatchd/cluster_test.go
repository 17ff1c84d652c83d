package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cc112"
	"cc112/internal/pgtest"
)

// keyedIncident posts an incident with an Idempotency-Key and returns its id
// (ok false on any failure: the caller retries).
func keyedIncident(client *http.Client, base, key string, i int) (string, bool) {
	body := fmt.Sprintf(`{"category":"medical","priority":2,"location":{"lat":%f,"lon":112.74},"description":"retry %s"}`,
		-7.25-float64(i%100)*0.001, key)
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/incidents", strings.NewReader(body))
	if err != nil {
		return "", false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := client.Do(req)
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return "", false
	}
	var inc cc112.Incident
	if json.NewDecoder(res.Body).Decode(&inc) != nil || inc.ID == "" {
		return "", false
	}
	return inc.ID, true
}

// retryIncident retries a keyed incident against the bases in turn until one
// acknowledges it.
func retryIncident(t *testing.T, client *http.Client, bases []string, key string, i int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for n := 0; time.Now().Before(deadline); n++ {
		if id, ok := keyedIncident(client, bases[n%len(bases)], key, i); ok {
			return id
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("incident %s never acknowledged", key)
	return ""
}

// allIncidents lists base's incidents, page by page. A standby that has
// not yet followed the journal up to the client's login answers 401 for a
// moment.
func allIncidents(t *testing.T, client *http.Client, base string) []cc112.Incident {
	t.Helper()
	var list []cc112.Incident
	cursor := ""
	for {
		u := base + "/api/v1/incidents?status=all&limit=1000&cursor=" + url.QueryEscape(cursor)
		deadline := time.Now().Add(10 * time.Second)
		res, err := client.Get(u)
		for err == nil && res.StatusCode == http.StatusUnauthorized && time.Now().Before(deadline) {
			res.Body.Close()
			time.Sleep(50 * time.Millisecond)
			res, err = client.Get(u)
		}
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items      []cc112.Incident `json:"items"`
			NextCursor string           `json:"next_cursor"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return list
		}
	}
}

func kill9(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

// Clients create incidents with idempotency keys while the PostgreSQL-backed
// server is killed with SIGKILL mid-traffic and restarted; they retry until
// acknowledged. Every acknowledged incident is there exactly once.
func TestPostgresCrashWithRetries(t *testing.T) {
	url := pgtest.URL(t)
	args := "-addr 127.0.0.1:0 -database-url " + url + " -demo -sim=false"
	child := startChild(t, args)
	base := childURL(child)

	const n, workers = 120, 12
	client := clusterClient(t, base)
	acked := make([]string, n)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		count   int
		killed  = make(chan struct{})
		once    sync.Once
		bases   = []string{base}
		baseMu  sync.RWMutex
		restart = make(chan struct{})
	)
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				key := fmt.Sprintf("crash-%d", i)
				for {
					baseMu.RLock()
					b := bases[0]
					baseMu.RUnlock()
					if id, ok := keyedIncident(client, b, key, i); ok {
						acked[i] = id
						mu.Lock()
						count++
						if count == n/3 {
							once.Do(func() { close(killed) })
						}
						mu.Unlock()
						break
					}
					select {
					case <-restart:
					case <-time.After(50 * time.Millisecond):
					}
				}
			}
		}()
	}
	<-killed
	kill9(t, child)
	mu.Lock()
	t.Logf("killed with SIGKILL after %d of %d incidents were acknowledged", count, n)
	mu.Unlock()
	child2 := startChild(t, args)
	baseMu.Lock()
	bases[0] = childURL(child2)
	baseMu.Unlock()
	close(restart)
	wg.Wait()

	// Retrying every key once more changes nothing: same ids.
	for i := 0; i < n; i += 7 {
		if id := retryIncident(t, client, []string{childURL(child2)}, fmt.Sprintf("crash-%d", i), i); id != acked[i] {
			t.Fatalf("retry of key %d gave %s, first acknowledged as %s", i, id, acked[i])
		}
	}
	list := allIncidents(t, client, childURL(child2))
	seen := map[string]int{}
	for _, inc := range list {
		seen[inc.ID]++
	}
	for i, id := range acked {
		if seen[id] != 1 {
			t.Errorf("acknowledged incident %d (%s) present %d times", i, id, seen[id])
		}
	}
	if len(list) != n {
		t.Fatalf("%d incidents after the crash, want exactly %d", len(list), n)
	}
}

// Two real dispatchd processes on one database: the first leads, the second
// follows and forwards writes; the leader is killed with SIGKILL and the
// standby takes over with every acknowledged incident; the old leader
// comes back as the standby.
// startPair starts a leader and a standby on one new database and returns
// them, their arguments and a dispatcher's client.
func startPair(t *testing.T) (a, b *exec.Cmd, args string, client *http.Client) {
	t.Helper()
	args = "-addr 127.0.0.1:0 -database-url " + pgtest.URL(t) + " -demo -sim=false"
	a = startChild(t, args)
	b = startChild(t, args)
	return a, b, args, clusterClient(t, childURL(a))
}

func TestFailoverTwoProcesses(t *testing.T) {
	a, b, args, client := startPair(t)
	aURL, bURL := childURL(a), childURL(b)

	var acked []string
	for i := 0; i < 10; i++ {
		// Half through the standby, which forwards to the leader.
		base := []string{aURL, bURL}[i%2]
		id, ok := keyedIncident(client, base, fmt.Sprintf("fo-%d", i), i)
		if !ok {
			t.Fatalf("incident %d via %s not acknowledged", i, base)
		}
		acked = append(acked, id)
	}
	waitIncidents(t, client, bURL, len(acked))

	kill9(t, a)
	start := time.Now()
	// Clients keep retrying against the standby until it leads.
	id := retryIncident(t, client, []string{bURL}, "fo-after", 99)
	t.Logf("standby acknowledged its first command %v after the leader was killed", time.Since(start).Round(time.Millisecond))
	acked = append(acked, id)
	list := allIncidents(t, client, bURL)
	have := map[string]bool{}
	for _, inc := range list {
		have[inc.ID] = true
	}
	for i, id := range acked {
		if !have[id] {
			t.Errorf("acknowledged incident %d (%s) missing on the new leader", i, id)
		}
	}
	if len(list) != len(acked) {
		t.Errorf("%d incidents on the new leader, want %d", len(list), len(acked))
	}

	// The old leader returns as the standby: it forwards to the new leader
	// and sees what the new leader writes.
	a2 := startChild(t, args)
	a2URL := childURL(a2)
	id2 := retryIncident(t, client, []string{a2URL}, "fo-back", 98)
	waitIncidents(t, client, a2URL, len(acked)+1)
	if !containsIncident(allIncidents(t, client, bURL), id2) {
		t.Fatalf("incident %s sent to the returned instance is not on the leader", id2)
	}
}

func containsIncident(list []cc112.Incident, id string) bool {
	for _, inc := range list {
		if inc.ID == id {
			return true
		}
	}
	return false
}

// waitIncidents waits until base lists n incidents (a standby follows the
// journal a moment behind).
func waitIncidents(t *testing.T, client *http.Client, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := len(allIncidents(t, client, base))
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s lists %d incidents, want %d", base, got, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestControlCharactersKeepThePairServing: a NUL or a right-to-left
// override in a text field, sent to the leader and through the standby, is
// refused with 400, and both instances go on serving writes. Before, the
// NUL reached PostgreSQL, which cannot store it: every later write answered
// 503 and the leader stepped down; the next NUL stopped the promoted standby.
func TestControlCharactersKeepThePairServing(t *testing.T) {
	a, b, _, client := startPair(t)
	aURL, bURL := childURL(a), childURL(b)
	post := func(c *http.Client, u, body string) (int, string) {
		res, err := c.Post(u, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var e struct {
			Error struct{ Code, Message string }
		}
		_ = json.NewDecoder(res.Body).Decode(&e)
		return res.StatusCode, e.Error.Message
	}
	for i, base := range []string{aURL, bURL} {
		for _, bad := range []string{`\u0000`, `\u202e`} {
			// The public complaint form needs no login.
			status, msg := post(http.DefaultClient, base+"/api/v1/complaints", `{"text":"lampu `+bad+` mati"}`)
			if status != http.StatusBadRequest || !strings.Contains(msg, "text") {
				t.Errorf("complaint with %s via %s: %d %q, want 400 naming text", bad, base, status, msg)
			}
			status, msg = post(client, base+"/api/v1/incidents",
				`{"category":"fire","location":{"lat":-7.25,"lon":112.74},"caller":{"name":"Bu`+bad+`di"}}`)
			if status != http.StatusBadRequest || !strings.Contains(msg, "caller.name") {
				t.Errorf("incident with %s via %s: %d %q, want 400 naming caller.name", bad, base, status, msg)
			}
		}
		// Both still take writes (the standby forwards them) and the leader
		// is still ready.
		if _, ok := keyedIncident(client, base, fmt.Sprintf("ctl-%d", i), i); !ok {
			t.Fatalf("%s takes no write after the refused requests", base)
		}
	}
	res, err := http.Get(aURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("leader /readyz: %d after the refused requests", res.StatusCode)
	}
	waitIncidents(t, client, bURL, 2)
}
