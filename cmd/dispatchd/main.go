// Command dispatchd is the 112 command-center dispatch server.
//
//	dispatchd -demo                 a demo city on the embedded journal in ./state
//	dispatchd -city ../shared/data  real kecamatan polygons and camera positions
//	dispatchd user add|passwd|list  manage accounts (while the server is stopped)
//	dispatchd -check URL...         the container healthcheck
//	dispatchd -version              the version (go build stamps the commit; -ldflags "-X main.version=v1.2.3" names it)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cc112"
	"cc112/callcenter"
	"cc112/cctv/rtspsrc"
	"cc112/kpi"
)

// version is the release name, set at build time with
// -ldflags "-X main.version=v1.2.3"; empty: the module's build info.
var version string

const synopsis = `usage:
  dispatchd [flags]                 run the server (every flag also from the environment variable it names)
  dispatchd user add|passwd|list    manage accounts in a stopped server's state folder (dispatchd user -h)
  dispatchd -check URL...           exit 0 if every URL answers 200 within 3 s (the container healthcheck)
  dispatchd -version                print the version
  dispatchd -h                      this help
`

func main() {
	os.Exit(exitStatus(run(os.Args[1:], os.Stdout), os.Stderr))
}

// usageError is a command line dispatchd does not understand: it exits
// with status 2 and the usage, never starts something else than was asked.
type usageError struct {
	err   error
	usage string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// exitStatus prints err and returns the process's exit status: 0, 2 for a
// usage error (with the usage), 1 for any other failure.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "dispatchd:", err)
	if u, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprint(stderr, "\n"+u.usage)
		return 2
	}
	return 1
}

// versionString names the build: the -ldflags version or the module's, the
// commit and its time when go build stamped them, and the Go release.
func versionString() string {
	v, rev, at, dirty := version, "", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value[:min(12, len(s.Value))]
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := "dispatchd " + v
	if rev != "" {
		out += " commit " + rev
		if dirty {
			out += " (modified)"
		}
	}
	if at != "" {
		out += " " + at
	}
	return out + " " + runtime.Version()
}

func run(args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "-check" {
		return check(args[1:])
	}
	if len(args) > 0 && args[0] == "user" {
		return runUser(args[1:], os.Stdin, stdout)
	}
	m := NewMain()
	fs := flag.NewFlagSet("dispatchd", flag.ContinueOnError)
	fs.StringVar(&m.Addr, "addr", "127.0.0.1:8080", "listen address (env DISPATCH_ADDR)")
	fs.StringVar(&m.StateDir, "state", "./state", "folder of the embedded journal (env DISPATCH_STATE)")
	fs.BoolVar(&m.Demo, "demo", false, "seed the demo city into an empty journal (env DISPATCH_DEMO)")
	sim := fs.String("sim", "", "simulate incidents and moving units (default true with -demo; env DISPATCH_SIM)")
	fs.StringVar(&m.CityDir, "city", "", "folder with a kelurahan GeoJSON and a camera CSV, e.g. ../shared/data (env DISPATCH_CITY)")
	fs.StringVar(&m.DatabaseURL, "database-url", "", "PostgreSQL URL: use it instead of the embedded journal; two instances on one database form a leader/standby pair (env DATABASE_URL)")
	fs.StringVar(&m.Advertise, "advertise", "", "base URL other instances reach this one at, e.g. http://dispatchd-a:8080 (default: the listen URL; env DISPATCH_ADVERTISE)")
	fs.StringVar(&m.Instance, "instance", "", "name of this instance in the leader table (default host-pid; env DISPATCH_INSTANCE)")
	fs.StringVar(&m.RedisURL, "redis-url", "", "Redis URL: relay the live feed and latest unit positions to other instances (env REDIS_URL)")
	fs.DurationVar(&m.BreadcrumbEvery, "breadcrumb-every", 5*time.Second, "least time between two stored GPS fixes of a unit, for track playback on PostgreSQL (env DISPATCH_BREADCRUMB_EVERY)")
	fs.StringVar(&m.Tiles.URL, "tiles", m.Tiles.URL, "basemap tile URL template of the console, \"\" for none: the kecamatan outlines only (env DISPATCH_TILES)")
	fs.StringVar(&m.Tiles.Attribution, "tiles-attribution", m.Tiles.Attribution, "attribution shown for the tiles (env DISPATCH_TILES_ATTRIBUTION)")
	target := fs.String("target", "7m24s", "response-time target, call received to first unit on scene (env DISPATCH_TARGET)")
	byCat := fs.String("target-by-category", "", "per-category targets, e.g. fire=5m,medical=8m (env DISPATCH_TARGET_BY_CATEGORY)")
	origins := fs.String("allowed-origins", "", "comma-separated browser origins (https://host[:port]) allowed on the live websocket besides the server's own (env DISPATCH_ALLOWED_ORIGINS)")
	fs.DurationVar(&m.CallCenter.ResponseSLA, "complaint-response-sla", time.Hour, "time an agency has to answer a forwarded complaint before the mayor gets an SMS (env DISPATCH_COMPLAINT_RESPONSE_SLA)")
	fs.DurationVar(&m.CallCenter.FeedbackSLA, "complaint-feedback-sla", 24*time.Hour, "time within which the citizen gets feedback on a complaint (env DISPATCH_COMPLAINT_FEEDBACK_SLA)")
	fs.StringVar(&m.CallCenter.MayorPhone, "mayor-phone", "", "phone number that gets the SMS about unanswered complaints; empty records the escalation without sending (env DISPATCH_MAYOR_PHONE)")
	smsWebhook := fs.String("sms-webhook", "", "URL that takes SMS as JSON {to, text, id}; empty logs them instead (env DISPATCH_SMS_WEBHOOK)")
	amlKey := fs.String("aml-hmac-key", "", "key that must sign AML HTTPS forms (hmac field); empty accepts unsigned forms (env DISPATCH_AML_HMAC_KEY)")
	fs.DurationVar(&m.CameraProbeInterval, "camera-probe-interval", 30*time.Second, "how often every camera's health is probed; 0 disables (env DISPATCH_CAMERA_PROBE_INTERVAL)")
	transport := fs.String("camera-transport", "auto", "RTSP transport to cameras: auto, tcp or udp (env DISPATCH_CAMERA_TRANSPORT)")
	fs.DurationVar(&m.CameraCloseAfter, "camera-close-after", 10*time.Second, "how long a camera's session stays open after its last viewer left (env DISPATCH_CAMERA_CLOSE_AFTER)")
	fs.StringVar(&m.CamSim, "camsim", "", "host:port of cmd/camsim: the seeded demo cameras stream from it (env DISPATCH_CAMSIM)")
	fs.IntVar(&m.CamSimCameras, "camsim-cameras", 8, "how many camsim paths the demo cameras cycle over (env DISPATCH_CAMSIM_CAMERAS)")
	tiles := fs.String("tile-hosts", "", "comma-separated map tile origins allowed by the Content Security Policy (env DISPATCH_TILE_HOSTS; default https://tile.openstreetmap.org)")
	fs.BoolVar(&m.SecureCookies, "secure-cookies", false, "mark session cookies Secure behind a TLS-terminating proxy (env DISPATCH_SECURE_COOKIES)")
	fs.StringVar(&m.AMLAPIKey, "aml-api-key", "", "API key the SMS gateway or AML provider sends as X-API-Key to post AML without a user token (env DISPATCH_AML_API_KEY)")
	fs.StringVar(&m.MetricsToken, "metrics-token", "", "bearer token Prometheus scrapes /metrics with; empty: /metrics without a user token answers loopback clients only (env DISPATCH_METRICS_TOKEN)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error (env DISPATCH_LOG_LEVEL)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	usage := func() string {
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return synopsis + "\nflags:\n" + b.String()
	}
	fs.SetOutput(io.Discard) // the errors and the usage are printed once, by exitStatus
	if err := applyEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, usage())
			return err
		}
		return &usageError{err, usage()}
	}
	if fs.NArg() > 0 {
		// "dispatchd demo" must not start a server without the demo.
		return &usageError{fmt.Errorf("unknown argument %q (flags start with -, e.g. -demo)", fs.Arg(0)), usage()}
	}
	if *showVersion {
		_, err := fmt.Fprintln(stdout, versionString())
		return err
	}
	if err := parseTargets(&m.Targets, *target, *byCat); err != nil {
		return err
	}
	var err error
	if m.CameraTransport, err = rtspsrc.ParseTransport(*transport); err != nil {
		return fmt.Errorf("-camera-transport: %w", err)
	}
	if *tiles != "" {
		m.TileHosts = strings.Split(*tiles, ",")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	m.AllowedOrigins = strings.Split(*origins, ",")
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	if m.CallCenter.ResponseSLA <= 0 || m.CallCenter.FeedbackSLA <= 0 {
		return fmt.Errorf("-complaint-response-sla and -complaint-feedback-sla must be positive")
	}
	if *smsWebhook != "" {
		m.CallCenter.SMS = &callcenter.WebhookSMS{URL: *smsWebhook}
	}
	if m.CallCenter.MayorPhone != "" {
		p, err := callcenter.NormalizePhone(m.CallCenter.MayorPhone)
		if err != nil {
			return fmt.Errorf("-mayor-phone: %w", err)
		}
		m.CallCenter.MayorPhone = p
	}
	m.AMLKey = []byte(*amlKey)
	m.Sim = m.Demo
	if *sim != "" {
		v, err := strconv.ParseBool(*sim)
		if err != nil {
			return fmt.Errorf("-sim must be true or false, not %q", *sim)
		}
		m.Sim = v
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		return err
	}
	m.Logger.Info("dispatchd ready", "url", m.URL(), "state", m.StateDir, "demo", m.Demo, "sim", m.Sim)
	var fatal error
	select {
	case <-ctx.Done():
	case fatal = <-m.Err():
		m.Logger.Error("stopping", "err", fatal)
	}
	stop() // a second signal kills at once
	m.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(fatal, m.Close(shutdownCtx))
}

// check is the container healthcheck (the image has no curl): every URL
// must answer 200 within 3 s.
func check(urls []string) error {
	if len(urls) == 0 {
		return &usageError{errors.New("-check needs at least one URL, e.g. http://127.0.0.1:8080/readyz"), synopsis}
	}
	client := &http.Client{Timeout: 3 * time.Second}
	for _, u := range urls {
		res, err := client.Get(u)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", u, res.Status)
		}
	}
	return nil
}

// parseTargets reads -target and -target-by-category ("fire=5m,medical=8m").
func parseTargets(t *kpi.Targets, target, byCategory string) error {
	d, err := time.ParseDuration(target)
	if err != nil || d <= 0 {
		return fmt.Errorf("-target must be a positive duration like 7m24s, not %q", target)
	}
	t.Response = d
	t.ByCategory = nil
	for _, kv := range strings.Split(byCategory, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		cat, v, ok := strings.Cut(kv, "=")
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if _, known := cc112.DefaultResponsePlan()[cc112.Category(strings.TrimSpace(cat))]; !ok || err != nil || d <= 0 || !known {
			return fmt.Errorf("-target-by-category: %q is not category=duration with a known category", kv)
		}
		if t.ByCategory == nil {
			t.ByCategory = map[string]time.Duration{}
		}
		t.ByCategory[strings.TrimSpace(cat)] = d
	}
	return nil
}

// envName finds the environment variable a flag's usage names ("env X").
var envName = regexp.MustCompile(`env ([A-Z][A-Z0-9_]*)`)

// applyEnv sets every flag whose variable is in the environment, through
// the flag's own parser: a malformed value is an error naming the
// variable, never silently the default. Flags on the command line, parsed
// afterwards, win.
func applyEnv(fs *flag.FlagSet) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		m := envName.FindStringSubmatch(f.Usage)
		if m == nil {
			return
		}
		if v, ok := os.LookupEnv(m[1]); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q (for -%s): %w", m[1], v, f.Name, err))
			}
		}
	})
	return errors.Join(errs...)
}
