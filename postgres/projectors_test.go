package postgres

import (
	"testing"

	"cc112"
)

// Every journaled event type has a decision: projected into the tables, or
// deliberately not. A new event type fails here until someone decides.
func TestEveryEventTypeHasAProjectionDecision(t *testing.T) {
	known := map[string]bool{}
	for _, typ := range cc112.EventTypes() {
		known[typ] = true
		if _, ok := projectors[typ]; !ok {
			t.Errorf("event type %q has no projection decision in projectors (project it, or notProjected with a reason)", typ)
		}
	}
	for typ := range projectors {
		if !known[typ] {
			t.Errorf("projectors decides %q, which is not in cc112.EventTypes()", typ)
		}
	}
}
