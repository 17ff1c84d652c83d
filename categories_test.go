package cc112

import (
	"slices"
	"testing"
)

// TestCategoriesAreOneList: the display list, the default plan and the
// default priorities name the same categories, each once.
func TestCategoriesAreOneList(t *testing.T) {
	plan := DefaultResponsePlan()
	if len(plan) != len(Categories) {
		t.Errorf("%d categories in the plan, %d in Categories", len(plan), len(Categories))
	}
	for i, c := range Categories {
		if slices.Index(Categories, c) != i {
			t.Errorf("%s listed twice", c)
		}
		if _, ok := plan[c]; !ok {
			t.Errorf("%s has no response plan", c)
		}
		if _, ok := defaultPriority[c]; !ok {
			t.Errorf("%s has no default priority", c)
		}
		if p := c.DefaultPriority(); p < MinPriority || p > MaxPriority {
			t.Errorf("%s: default priority %d out of range", c, p)
		}
	}
	if len(defaultPriority) != len(Categories) {
		t.Errorf("%d default priorities for %d categories", len(defaultPriority), len(Categories))
	}
}
