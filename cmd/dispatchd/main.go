// Command dispatchd is the 112 command-center dispatch server.
//
//	dispatchd -demo                 a demo city on the embedded journal in ./state
//	dispatchd -city ../shared/data  real kecamatan polygons and camera positions
//	dispatchd user add|passwd|list  manage accounts (while the server is stopped)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dispatchd:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) > 0 && args[0] == "user" {
		return runUser(args[1:], os.Stdin, os.Stdout)
	}
	m := NewMain()
	fs := flag.NewFlagSet("dispatchd", flag.ContinueOnError)
	fs.StringVar(&m.Addr, "addr", envString("DISPATCH_ADDR", "127.0.0.1:8080"), "listen address (env DISPATCH_ADDR)")
	fs.StringVar(&m.StateDir, "state", envString("DISPATCH_STATE", "./state"), "folder of the embedded journal (env DISPATCH_STATE)")
	fs.BoolVar(&m.Demo, "demo", envBool("DISPATCH_DEMO", false), "seed the demo city into an empty journal (env DISPATCH_DEMO)")
	sim := fs.String("sim", envString("DISPATCH_SIM", ""), "simulate incidents and moving units (default true with -demo; env DISPATCH_SIM)")
	fs.StringVar(&m.CityDir, "city", envString("DISPATCH_CITY", ""), "folder with a kelurahan GeoJSON and a camera CSV, e.g. ../shared/data (env DISPATCH_CITY)")
	tiles := fs.String("tile-hosts", envString("DISPATCH_TILE_HOSTS", ""), "comma-separated map tile origins allowed by the Content Security Policy (env DISPATCH_TILE_HOSTS; default https://tile.openstreetmap.org)")
	fs.BoolVar(&m.SecureCookies, "secure-cookies", envBool("DISPATCH_SECURE_COOKIES", false), "mark session cookies Secure behind a TLS-terminating proxy (env DISPATCH_SECURE_COOKIES)")
	logLevel := fs.String("log-level", envString("DISPATCH_LOG_LEVEL", "info"), "debug, info, warn or error (env DISPATCH_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *tiles != "" {
		m.TileHosts = strings.Split(*tiles, ",")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
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
	<-ctx.Done()
	stop() // a second signal kills at once
	m.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return m.Close(shutdownCtx)
}

func envString(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, ok := os.LookupEnv(name); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}
