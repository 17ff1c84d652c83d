package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"cc112/internal/testenv"
)

// No Docker engine runs here: check that docker-compose.yml parses, has
// what a city's IT team expects, and only sets settings dispatchd reads.
func TestComposeFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	main, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	// The variables dispatchd reads: the "env NAME" of its flags' usage.
	reads := map[string]bool{}
	for _, m := range envName.FindAllStringSubmatch(string(main), -1) {
		reads[m[1]] = true
	}
	for _, name := range []string{"postgres", "redis", "dispatchd-a", "dispatchd-b"} {
		s, ok := doc.Services[name]
		if !ok {
			t.Fatalf("service %s missing", name)
		}
		if len(s.Healthcheck.Test) == 0 {
			t.Errorf("service %s has no healthcheck", name)
		}
		if !strings.HasPrefix(name, "dispatchd") {
			continue
		}
		hc := strings.Join(s.Healthcheck.Test, " ")
		if !strings.Contains(hc, "/readyz") || !strings.Contains(hc, "/healthz") {
			t.Errorf("%s healthcheck %q should probe /healthz and /readyz", name, hc)
		}
		for _, dep := range []string{"postgres", "redis"} {
			if s.DependsOn[dep].Condition != "service_healthy" {
				t.Errorf("%s should wait for a healthy %s", name, dep)
			}
		}
		for k := range s.Environment {
			if !reads[k] {
				t.Errorf("%s sets %s, which dispatchd does not read", name, k)
			}
		}
		for _, k := range []string{"DATABASE_URL", "REDIS_URL", "DISPATCH_ADVERTISE", "DISPATCH_ADDR"} {
			if s.Environment[k] == "" {
				t.Errorf("%s does not set %s", name, k)
			}
		}
	}
	a, b := doc.Services["dispatchd-a"].Environment, doc.Services["dispatchd-b"].Environment
	if a["DATABASE_URL"] != b["DATABASE_URL"] || a["DISPATCH_ADVERTISE"] == b["DISPATCH_ADVERTISE"] {
		t.Error("the two dispatchd must share one database and advertise different addresses")
	}
	dockerfile, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/dispatchd", "ENTRYPOINT"} {
		if !strings.Contains(string(dockerfile), want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	if err := check(nil); err == nil {
		t.Fatal("-check without URL succeeded")
	}
	if err := check([]string{"http://127.0.0.1:1/readyz"}); err == nil {
		t.Fatal("-check of a closed port succeeded")
	}
}
