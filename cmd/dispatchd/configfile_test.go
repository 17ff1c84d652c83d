package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/alerts"
	"cc112/city"
)

// parseConfig builds the configuration from args and the environment as
// run does.
func parseConfig(t *testing.T, args ...string) (Config, error) {
	t.Helper()
	c := DefaultConfig()
	fs := flag.NewFlagSet("dispatchd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	finish := c.bindFlags(fs)
	if err := applyEnv(fs); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, finish()
}

// TestAlertSettings: the thresholds by flag and environment, the
// on-scene limits and coverage groups by the config file; typos refused.
func TestAlertSettings(t *testing.T) {
	c, err := parseConfig(t)
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Alerts; a.UnassignedP1 != time.Minute || a.Unassigned != 3*time.Minute || a.Unacknowledged != time.Minute ||
		a.EnrouteFactor != 1.5 || a.Onscene[cc112.CatMedical] != time.Hour || len(a.Coverage) != 5 {
		t.Fatalf("defaults: %+v", a)
	}
	if err := checkCoverageDistricts(c.Alerts.Coverage, city.Demo().Districts); err != nil {
		t.Fatalf("the default groups name a kecamatan the city lacks: %v", err)
	}
	seen := 0
	for _, g := range c.Alerts.Coverage {
		seen += len(g.Districts)
	}
	if seen != city.Demo().Districts.Len() {
		t.Fatalf("the default groups hold %d kecamatan, the city %d", seen, city.Demo().Districts.Len())
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "cc112.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`alerts:
  onscene_default: 90m
  onscene: {medical: 45m, fire: 4h}
coverage:
  - name: Pusat
    districts: [Genteng, Bubutan]
    minimum: {damkar: 2}
`)
	t.Setenv("DISPATCH_ALERT_ENROUTE_FACTOR", "2")
	t.Setenv("DISPATCH_CONFIG", file)
	c, err = parseConfig(t, "-alert-unassigned-p1", "30s")
	if err != nil {
		t.Fatal(err)
	}
	a := c.Alerts
	if a.UnassignedP1 != 30*time.Second || a.EnrouteFactor != 2 || a.OnsceneDefault != 90*time.Minute ||
		a.Onscene[cc112.CatMedical] != 45*time.Minute || a.Onscene[cc112.CatFire] != 4*time.Hour || a.Onscene[cc112.CatFlood] != 6*time.Hour {
		t.Fatalf("from flag, environment and file: %+v", a)
	}
	if len(a.Coverage) != 1 || a.Coverage[0].Minimum["damkar"] != 2 {
		t.Fatalf("coverage: %+v", a.Coverage)
	}

	for _, bad := range []struct{ file, want string }{
		{"alerts:\n  onscen: {medical: 45m}\n", "onscen"},
		{"alerts:\n  onscene: {medicl: 45m}\n", "medicl"},
		{"alerts:\n  onscene: {medical: -5m}\n", "medical"},
		{"coverage:\n  - name: A\n    districts: [Genteng]\n  - name: B\n    districts: [Genteng]\n", "Genteng"},
	} {
		write(bad.file)
		if _, err := parseConfig(t); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want an error naming %s", bad.file, err, bad.want)
		}
	}
	t.Setenv("DISPATCH_CONFIG", "")
	if _, err := parseConfig(t, "-alert-enroute-factor", "0.5"); err == nil {
		t.Error("an en-route factor below 1 was taken")
	}
	if err := checkCoverageDistricts([]alerts.Group{{Name: "X", Districts: []string{"Gentengg"}}}, city.Demo().Districts); err == nil {
		t.Error("a coverage group with an unknown kecamatan was taken")
	}
}
