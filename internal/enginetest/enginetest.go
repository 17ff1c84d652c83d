// Package enginetest starts what many tests start: a real engine on an
// embedded journal in a temporary folder, holding the demo city's units
// and cameras.
package enginetest

import (
	"context"
	"log/slog"
	"testing"

	"cc112/bolt"
	"cc112/city"
	"cc112/dispatch"
)

// Demo returns a quiet engine on a bbolt journal in t.TempDir() with the
// demo city's units and cameras registered; the journal closes with t.
func Demo(t testing.TB) (*dispatch.Engine, *city.Pack) {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	city := city.Demo()
	ctx := context.Background()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j, Districts: city.Districts, Area: city.Districts, AreaMargin: 2000, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterUnits(ctx, city.Units); err != nil {
		t.Fatal(err)
	}
	if err := eng.RegisterCameras(ctx, city.Cameras); err != nil {
		t.Fatal(err)
	}
	return eng, city
}
