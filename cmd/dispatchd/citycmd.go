package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"cc112"
	"cc112/bolt"
	"cc112/city"
	"cc112/geocode"
	"cc112/postgres"
)

const cityUsage = `usage:
  dispatchd city check DIR             check a city pack; print every problem as file:line: field: problem
  dispatchd city export [-state DIR] OUT
                                       write the city a center runs (agencies, stations, units, plans, cameras)
                                       as a pack into OUT
check exits 1 when the pack has a problem, 0 when it loads.
export reads the center's journal: with DATABASE_URL set, the PostgreSQL journal (the server may be running);
otherwise the embedded journal in -state (the server must be stopped: it holds the folder's lock).
The geography (districts, roads, points of interest, service area) stays the pack's own and is not written.
`

// errProblems is check's failure: the problems are printed already.
var errProblems = errors.New("the city pack has problems")

// runCity is `dispatchd city check|export`.
func runCity(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{errors.New("dispatchd city needs a command: check or export"), cityUsage}
	}
	cmd := args[0]
	fs := flag.NewFlagSet("dispatchd city "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	state := fs.String("state", "./state", "folder of the embedded journal (env DISPATCH_STATE)")
	switch cmd {
	case "-h", "-help", "--help":
		_, err := io.WriteString(stdout, cityUsage)
		return err
	case "check", "export":
	default:
		return &usageError{fmt.Errorf("unknown city command %q", cmd), cityUsage}
	}
	if err := applyEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, cityUsage)
			return err
		}
		return &usageError{err, cityUsage}
	}
	if fs.NArg() != 1 {
		return &usageError{fmt.Errorf("dispatchd city %s needs one folder", cmd), cityUsage}
	}
	dir := fs.Arg(0)
	if cmd == "check" {
		return checkCity(dir, stdout)
	}
	return exportCity(context.Background(), *state, os.Getenv("DATABASE_URL"), dir, stdout)
}

// checkCity prints every problem of the pack in dir.
func checkCity(dir string, stdout io.Writer) error {
	problems := city.Check(dir)
	if p, err := city.Load(dir); err == nil && p.POIFile != "" {
		if _, err := loadPlaces(p.POIFile, geocode.LoadPOI); err != nil {
			problems = append(problems, city.Problem{File: city.POIFile, Field: "-", Problem: err.Error()})
		}
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return errProblems
	}
	fmt.Fprintf(stdout, "%s: the city pack is sound\n", dir)
	return nil
}

// exportCity writes the city of a center's journal into out.
func exportCity(ctx context.Context, state, databaseURL, out string, stdout io.Writer) error {
	m := NewMain()
	m.Store.StateDir = state
	m.Logger = slog.New(slog.DiscardHandler)
	if databaseURL != "" {
		db, err := postgres.Open(ctx, databaseURL, m.Logger)
		if err != nil {
			return err
		}
		defer db.Close()
		if m.Journal, err = postgres.NewJournal(ctx, db, postgres.JournalOptions{}); err != nil {
			return err
		}
	}
	if err := m.openState(ctx, nil); err != nil {
		if errors.Is(err, bolt.ErrInUse) {
			return fmt.Errorf("the state folder %s is in use: a dispatchd server holds its lock; stop it first", state)
		}
		return err
	}
	defer func() { _ = m.Close(ctx) }()
	c := m.Engine.City()
	cams := make([]cc112.Camera, 0)
	for _, listed := range m.Engine.Cameras() {
		cam, err := m.Engine.Camera(listed.ID) // with its stream URLs: they are configuration
		if err != nil {
			return err
		}
		cams = append(cams, cam)
	}
	if err := city.Write(out, c, cams); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d agencies, %d stations, %d units, %d plans, %d cameras\n", out,
		len(c.Agencies), len(c.Stations), len(c.Units), len(c.Plans), len(cams))
	return nil
}
