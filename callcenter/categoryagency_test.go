package callcenter

import (
	"slices"
	"testing"

	"cc112"
)

// TestCategoryAgenciesNameKnownCodes: the desk's proposal per category
// maps complaint categories to agencies the city has, and a configured
// list without the agency proposes nothing for it.
func TestCategoryAgenciesNameKnownCodes(t *testing.T) {
	for cat, a := range DefaultCategoryAgencies {
		if !slices.Contains(cc112.ComplaintCategories, cat) || !slices.Contains(DefaultAgencies, a) {
			t.Errorf("%s → %s: not a complaint category and a default agency", cat, a)
		}
	}
	s := New(Config{Agencies: []string{"pupr"}})
	if got := s.CategoryAgencies(); len(got) != 2 || got["road"] != "pupr" || got["drainage"] != "pupr" {
		t.Errorf("with pupr only: %v", got)
	}
}
