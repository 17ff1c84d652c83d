package main

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"cc112"
)

// The fully wired engine (the core and every extension dispatchd passes to
// dispatch.New) applies every journaled event type, and nothing that is
// not in cc112.EventTypes(): a new type must be declared there and given
// an apply function.
func TestEveryEventTypeIsRegisteredWithTheEngine(t *testing.T) {
	m := NewMain()
	m.Store.StateDir, m.Logger = t.TempDir(), slog.New(slog.DiscardHandler)
	ctx := context.Background()
	if err := m.openState(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(ctx) })
	registered := m.Engine.EventTypes()
	for _, typ := range cc112.EventTypes() {
		if !slices.Contains(registered, typ) {
			t.Errorf("event type %q has no apply function in the engine or an extension", typ)
		}
	}
	for _, typ := range registered {
		if !slices.Contains(cc112.EventTypes(), typ) {
			t.Errorf("the engine applies %q, which is not in cc112.EventTypes()", typ)
		}
	}
}
