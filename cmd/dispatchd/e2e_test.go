package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cc112"
)

// TestMain lets the test binary act as dispatchd itself, so that the crash
// test can kill a real server process with SIGKILL.
func TestMain(m *testing.M) {
	if args := os.Getenv("DISPATCHD_CHILD_ARGS"); args != "" {
		os.Exit(exitStatus(run(strings.Fields(args), os.Stdout), os.Stderr))
	}
	os.Exit(m.Run())
}

// startChild runs dispatchd in a child process and returns its URL.
func startChild(t testing.TB, args string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DISPATCHD_CHILD_ARGS="+args)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urlRe := regexp.MustCompile(`msg="dispatchd ready" url=(\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		cmd.Env = append(cmd.Env, "URL="+u)
		return cmd
	case <-time.After(30 * time.Second):
		t.Fatal("child dispatchd did not start within 30 s")
	}
	return nil
}

func childURL(cmd *exec.Cmd) string {
	for _, e := range cmd.Env {
		if strings.HasPrefix(e, "URL=") {
			return strings.TrimPrefix(e, "URL=")
		}
	}
	return ""
}

// login logs in as a demo account (username = password = role) and
// returns its token.
func login(t testing.TB, base, role string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/login", strings.NewReader(`{"username":"`+role+`","password":"`+role+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.Token == "" {
		t.Fatalf("login as %s: %d %v", role, res.StatusCode, err)
	}
	return out.Token
}

// get is http.Get with a bearer token.
func get(url, token string) (*http.Response, error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}

func postJSON(url, token, body string) (int, []byte, error) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// Forty incidents created concurrently are acknowledged; the server is
// killed with SIGKILL (no clean close); a new server on the same state
// folder finds all forty.
func TestConcurrentIncidentsSurviveKill9(t *testing.T) {
	state := t.TempDir()
	child := startChild(t, "-addr 127.0.0.1:0 -state "+state+" -demo -sim=false")
	base := childURL(child)
	token := login(t, base, "calltaker")

	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"category":"traffic_accident","priority":1,"location":{"lat":%f,"lon":112.74},"description":"crash test %d"}`, -7.25-float64(i)*0.001, i)
			status, b, err := postJSON(base+"/api/v1/incidents", token, body)
			if err != nil || status != http.StatusCreated {
				errs <- fmt.Errorf("incident %d: %d %s %v", i, status, b, err)
				return
			}
			var inc cc112.Incident
			if err := json.Unmarshal(b, &inc); err != nil {
				errs <- err
				return
			}
			ids[i] = inc.ID
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()

	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo = "127.0.0.1:0", state, true
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	token = login(t, m.URL(), "supervisor")
	res, err := get(m.URL()+"/api/v1/incidents?status=all&limit=1000", token)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var page struct {
		Items      []cc112.Incident `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	if page.NextCursor != "" {
		t.Fatalf("more than a page of incidents: %d", len(page.Items))
	}
	list := page.Items
	have := map[string]bool{}
	numbers := map[string]bool{}
	for _, inc := range list {
		have[inc.ID] = true
		numbers[inc.Number] = true
	}
	for i, id := range ids {
		if !have[id] {
			t.Errorf("acknowledged incident %d (%s) lost after kill -9", i, id)
		}
	}
	if len(list) != n || len(numbers) != n {
		t.Fatalf("%d incidents with %d distinct numbers after restart, want %d", len(list), len(numbers), n)
	}
	// The demo was seeded once, not again on the second start.
	res2, err := get(m.URL()+"/api/v1/units", token)
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Body.Close()
	var units []cc112.Unit
	_ = json.NewDecoder(res2.Body).Decode(&units)
	if len(units) < 60 {
		t.Fatalf("%d units after restart", len(units))
	}
}

func TestMainServesDemoAndShutsDown(t *testing.T) {
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	token := login(t, m.URL(), "dispatcher")
	for _, path := range []string{"/healthz", "/readyz", "/api/v1/units", "/api/v1/cameras", "/api/v1/districts"} {
		res, err := get(m.URL()+path, token)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: %d", path, res.StatusCode)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(m.URL() + "/healthz"); err == nil {
		t.Fatal("server still answers after Close")
	}
	// A second server on the same folder starts: the file lock was released.
	m2 := NewMain()
	m2.Addr, m2.Store.StateDir = "127.0.0.1:0", m.Store.StateDir
	m2.Logger = m.Logger
	if err := m2.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = m2.Close(context.Background())
}
