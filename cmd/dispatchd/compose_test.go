package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
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
			Ports       []string          `yaml:"ports"`
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
	// The variables dispatchd reads: the "env NAME" of its flags' usage.
	reads := map[string]bool{}
	fs := flag.NewFlagSet("dispatchd", flag.ContinueOnError)
	cfg := DefaultConfig()
	cfg.bindFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if m := envName.FindStringSubmatch(f.Usage); m != nil {
			reads[m[1]] = true
		}
	})
	for name, s := range doc.Services {
		// Pinned by digest: only our own image (built here) goes without.
		if !strings.HasPrefix(s.Image, "cc112/") && !pinned.MatchString(s.Image) {
			t.Errorf("%s: image %q is not pinned by digest (name:tag@sha256:…)", name, s.Image)
		}
		// Published on loopback only: a proxy in front is the way in.
		for _, p := range s.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %q on every interface; publish on 127.0.0.1", name, p)
			}
		}
		for k, v := range s.Environment {
			if (k == "DISPATCH_DEMO" || k == "DISPATCH_SIM") && v != "" && v != "false" {
				t.Errorf("%s turns on %s=%s: the demo accounts and simulator are never on in this file", name, k, v)
			}
			if secretName.MatchString(k) && v != "" && !interpolated.MatchString(v) {
				t.Errorf("%s: %s is written in the file; take it from .env as ${%s}", name, k, k)
			}
			if m := urlPassword.FindStringSubmatch(v); m != nil && !interpolated.MatchString(m[1]) {
				t.Errorf("%s: %s carries a literal password; take it from .env", name, k)
			}
		}
	}
	// Every variable the file takes from .env is in the committed example,
	// and .env itself is never committed.
	example, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range envRef.FindAllStringSubmatch(string(raw), -1) {
		if !regexp.MustCompile(`(?m)^` + m[1] + `=`).Match(example) {
			t.Errorf(".env.example lacks %s, which docker-compose.yml uses", m[1])
		}
	}
	gitignore, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^/?\.env$`).Match(gitignore) {
		t.Error(".gitignore does not ignore .env")
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
}

var (
	pinned       = regexp.MustCompile(`^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$`)
	secretName   = regexp.MustCompile(`PASSWORD|TOKEN|SECRET|_KEY$`)
	interpolated = regexp.MustCompile(`^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$`)
	urlPassword  = regexp.MustCompile(`://[^:/@]+:(.+)@`)
	envRef       = regexp.MustCompile(`\$\{([A-Z0-9_]+)`)
)

// The Dockerfile builds what a clean clone lacks (the console's npm
// packages), pins its bases by digest, and leaves /state writable by the
// image's non-root user; .dockerignore keeps secrets and local state out.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	dockerfile := string(raw)
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/dispatchd", "ENTRYPOINT"} {
		if !strings.Contains(dockerfile, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	// Stages by their FROM lines.
	var stages []string
	names := map[string]bool{}
	for _, line := range strings.Split(dockerfile, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.EqualFold(f[0], "FROM") {
			if !names[f[1]] && !pinned.MatchString(f[1]) {
				t.Errorf("FROM %s is not pinned by digest", f[1])
			}
			if len(f) == 4 && strings.EqualFold(f[2], "AS") {
				names[f[3]] = true
			}
			stages = append(stages, "")
		}
		if len(stages) > 0 {
			stages[len(stages)-1] += line + "\n"
		}
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages", len(stages))
	}
	if !regexp.MustCompile(`RUN npm ci`).MatchString(dockerfile) || !strings.Contains(dockerfile, "build.mjs") ||
		!regexp.MustCompile(`COPY --from=\S+ \S*ui/static/vendor`).MatchString(dockerfile) {
		t.Error("Dockerfile does not build the console's npm packages into ui/static/vendor (the map would be a 404)")
	}
	final := stages[len(stages)-1]
	if !strings.Contains(final, "USER nonroot") {
		t.Error("the final stage does not run as nonroot")
	}
	if !regexp.MustCompile(`(?m)^COPY (--from=\S+ )?--chown=(65532|nonroot)(:(65532|nonroot))? \S+ /state$`).MatchString(final) {
		t.Error("/state is not created owned by nonroot (65532) in the final stage: the embedded journal could not be written")
	}
	ignore, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(ignore), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{".git", ".env", "state/", "web/node_modules/", "ui/static/vendor/"} {
		if !have[want] {
			t.Errorf(".dockerignore does not exclude %s", want)
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
