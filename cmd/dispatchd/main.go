// Command dispatchd is the 112 command-center dispatch server.
//
//	dispatchd -demo                 a demo city on the embedded journal in ./state
//	dispatchd -city DIR             a city pack (agencies, stations, units, plans, districts, cameras, roads)
//	dispatchd city check|export     check a city pack, or write the running city as one
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
	"strings"
	"syscall"
	"time"

	"cc112"
	"cc112/kpi"
)

// version is the release name, set at build time with
// -ldflags "-X main.version=v1.2.3"; empty: the module's build info.
var version string

const synopsis = `usage:
  dispatchd [flags]                 run the server (every flag also from the environment variable it names)
  dispatchd user add|passwd|list    manage accounts in a stopped server's state folder (dispatchd user -h)
  dispatchd city check DIR          check a city pack, one line per problem (dispatchd city -h)
  dispatchd city export OUT         write the city a center runs as a pack (dispatchd city -h)
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
	if len(args) > 0 && args[0] == "city" {
		return runCity(args[1:], stdout)
	}
	m := NewMain()
	fs := flag.NewFlagSet("dispatchd", flag.ContinueOnError)
	finish := m.Config.bindFlags(fs)
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
	if err := finish(); err != nil {
		return err
	}
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: m.LogLevel}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := m.Run(ctx); err != nil {
		return err
	}
	m.Logger.Info("dispatchd ready", "url", m.URL(), "state", m.Store.StateDir, "demo", m.City.Demo, "sim", m.City.Sim)
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
