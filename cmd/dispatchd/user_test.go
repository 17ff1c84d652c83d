package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	user := func(stdin string, args ...string) (string, error) {
		t.Helper()
		var out bytes.Buffer
		err := runUser(append(args, "-state", dir), strings.NewReader(stdin), &out)
		return out.String(), err
	}
	if _, err := user("kata-sandi-budi\n", "add", "-username", "budi", "-role", "dispatcher"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"kata-sandi-budi\n", []string{"add", "-username", "budi", "-role", "dispatcher"}, "exists"},
		{"pendek\n", []string{"add", "-username", "ani", "-role", "police"}, "at least 8"},
		{"kata-sandi-ani\n", []string{"add", "-username", "ani", "-role", "raja"}, "unknown role"},
		{"", []string{"add", "-username", "ani", "-role", "police"}, "standard input"},
		{"", []string{"remove"}, "unknown user command"},
	} {
		if _, err := user(tt.stdin, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
		}
	}
	if _, err := user("kata-sandi-baru\n", "passwd", "-username", "budi"); err != nil {
		t.Fatal(err)
	}
	out, err := user("", "list")
	if err != nil || !strings.Contains(out, "budi") || !strings.Contains(out, "dispatcher") || strings.Contains(out, "kata-sandi") {
		t.Fatalf("list: %v\n%s", err, out)
	}

	// The server sees the account (new password), and while it runs the
	// command refuses with a clear message.
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Sim = "127.0.0.1:0", dir, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	if _, err := m.Auth.Login(context.Background(), "budi", "kata-sandi-baru", "test"); err != nil {
		t.Fatalf("server login with the CLI's password: %v", err)
	}
	if _, err := user("", "list"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("while the server runs: %v", err)
	}
}

func TestDemoAccountsWarnAndWork(t *testing.T) {
	var logBuf bytes.Buffer
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", t.TempDir(), true, false
	m.Logger = slog.New(slog.NewTextHandler(&logBuf, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	if !strings.Contains(logBuf.String(), "level=WARN msg=\"DEMO ACCOUNTS ARE ON") {
		t.Fatalf("no loud warning in the log:\n%s", logBuf.String())
	}
	for _, role := range []string{"calltaker", "dispatcher", "unit", "agency", "police", "supervisor", "admin"} {
		s, err := m.Auth.Login(context.Background(), role, role, "test")
		if err != nil || string(s.Role) != role {
			t.Errorf("demo login %s: %+v %v", role, s, err)
		}
		if role == "unit" && (s.UnitID == "" || s.UnitID != m.DemoUnit) {
			t.Errorf("demo unit account bound to %q, sim leaves %q alone", s.UnitID, m.DemoUnit)
		}
		if role == "agency" && s.Agency != "dkp" {
			t.Errorf("demo agency account bound to %q", s.Agency)
		}
	}
}

// TestUserCommandReplaysEveryExtension: `dispatchd user` replays a journal
// that holds the call center's and the camera audit's events too (it knows
// every extension's event types), and refuses a PostgreSQL setup clearly.
func TestUserCommandReplaysEveryExtension(t *testing.T) {
	dir := t.TempDir()
	m := NewMain()
	m.Addr, m.Store.StateDir, m.City.Demo, m.City.Sim = "127.0.0.1:0", dir, true, false
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	status, body, err := postJSON(m.URL()+"/api/v1/complaints", "", `{"text":"Lampu jalan mati","category":"streetlight","phone":"081234500000"}`)
	if err != nil || status != 201 {
		t.Fatalf("complaint: %d %s %v", status, body, err)
	}
	if status, body, err := postJSON(m.URL()+"/api/v1/calls", login(t, m.URL(), "calltaker"), `{"phone":"081234567890","channel":"phone"}`); err != nil || status != 201 {
		t.Fatalf("call: %d %s %v", status, body, err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runUser([]string{"list", "-state", dir}, strings.NewReader(""), &out); err != nil || !strings.Contains(out.String(), "supervisor") {
		t.Fatalf("list after calls and complaints: %v\n%s", err, out.String())
	}
	t.Setenv("DATABASE_URL", "postgres://example.invalid/db")
	if err := runUser([]string{"list", "-state", dir}, strings.NewReader(""), &out); err == nil || !strings.Contains(err.Error(), "admin API") {
		t.Fatalf("with DATABASE_URL: %v", err)
	}
}
