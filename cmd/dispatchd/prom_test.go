package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"cc112/kpi"
)

// TestPrometheusMetrics: GET /metrics answers in the Prometheus text
// format with the command, commit, event, websocket and open-incident
// series, and counts a command by its route and outcome.
func TestPrometheusMetrics(t *testing.T) {
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	token := login(t, m.URL(), "dispatcher")
	if status, _, err := postJSON(m.URL()+"/api/v1/incidents", token, `{"category":"fire","location":{"lat":-7.2458,"lon":112.7378}}`); err != nil || status != 201 {
		t.Fatalf("create: %d %v", status, err)
	}
	if status, _, _ := postJSON(m.URL()+"/api/v1/incidents", token, `{"category":"volcano"}`); status != 400 {
		t.Fatalf("bad create: %d", status)
	}
	res, err := http.Get(m.URL() + "/metrics") // no token: served to loopback clients only
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	text := string(b)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`cc112_commands_total{command="POST /api/v1/incidents",outcome="ok"} 1`,
		`cc112_commands_total{command="POST /api/v1/incidents",outcome="invalid_argument"} 1`,
		`cc112_command_duration_seconds_count{command="POST /api/v1/incidents"} 2`,
		`cc112_journal_commit_duration_seconds_count`,
		`cc112_journal_events_total`,
		`cc112_websocket_clients 0`,
		`cc112_websocket_slow_cuts_total 0`,
		`cc112_incidents_open 1`,
		`cc112_checkpoint_full_replays_total 0`,
		`cc112_checkpoint_corrupt_total 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, `cc112_journal_events_total 0`) {
		t.Error("no events counted although the demo was seeded and an incident created")
	}
}

func TestParseTargets(t *testing.T) {
	tests := []struct {
		target, byCat string
		ok            bool
		want          time.Duration
		fire          time.Duration
	}{
		{"7m24s", "", true, 444 * time.Second, 444 * time.Second},
		{"5m", "fire=4m, medical=8m", true, 5 * time.Minute, 4 * time.Minute},
		{"0s", "", false, 0, 0},
		{"soon", "", false, 0, 0},
		{"7m", "volcano=3m", false, 0, 0},
		{"7m", "fire", false, 0, 0},
		{"7m", "fire=-1m", false, 0, 0},
	}
	for _, tc := range tests {
		tg := kpi.DefaultTargets()
		err := parseTargets(&tg, tc.target, tc.byCat)
		if (err == nil) != tc.ok {
			t.Errorf("%q %q: err %v", tc.target, tc.byCat, err)
			continue
		}
		if tc.ok && (tg.Response != tc.want || tg.ResponseFor("fire") != tc.fire) {
			t.Errorf("%q %q: response %v, fire %v", tc.target, tc.byCat, tg.Response, tg.ResponseFor("fire"))
		}
	}
}
