package dispatch

import (
	"testing"

	"cc112"
	"cc112/internal/testjournal"
)

// TestEngineSuiteOnRealJournals runs the engine's rule tests on the
// journals dispatchd ships with: the embedded bbolt file and PostgreSQL.
// The same rules must hold, and replay must rebuild the same state, on
// either (DESIGN.md: same behaviour, same tests).
func TestEngineSuiteOnRealJournals(t *testing.T) {
	suite := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"CreateIncidentValidation", TestCreateIncidentValidation},
		{"CreateIncidentDefaultsAndNumbers", TestCreateIncidentDefaultsAndNumbers},
		{"AssignRules", TestAssignRules},
		{"TimelineSetByFirstUnit", TestTimelineSetByFirstUnit},
		{"UnitStatusRules", TestUnitStatusRules},
		{"AcknowledgeAndTransport", TestAcknowledgeAndTransport},
		{"CloseFreesUnits", TestCloseFreesUnits},
		{"Notes", TestNotes},
		{"CancelAndReopen", TestCancelAndReopen},
		{"EditIncident", TestEditIncident},
		{"MergeIncident", TestMergeIncident},
		{"SearchPagesInOrder", TestSearchPagesInOrder},
		{"SearchFilters", TestSearchFilters},
		{"SearchNotes", TestSearchNotes},
		{"UnitControl", TestUnitControl},
		{"ServiceArea", TestServiceArea},
		{"AutoAssignFollowsPlan", TestAutoAssignFollowsPlan},
		{"AutoAssignCountsUnitsAlreadySent", TestAutoAssignCountsUnitsAlreadySent},
		{"Recommend", TestRecommend},
		{"RecommendByCapability", TestRecommendByCapability},
		{"AlarmLevels", TestAlarmLevels},
		{"Roster", TestRoster},
		{"RecommendByRoad", TestRecommendByRoad},
		{"RecommendOffersDivert", TestRecommendOffersDivert},
		{"RoadETAReplays", TestRoadETAReplays},
		{"ReplayRebuildsIdenticalState", TestReplayRebuildsIdenticalState},
		{"IdempotencyKey", TestIdempotencyKey},
		{"PositionsAreSampled", TestPositionsAreSampled},
		{"PublishesChanges", TestPublishesChanges},
		{"StandbyFollowsAndPromotes", TestStandbyFollowsAndPromotes},
		{"UnstorableEventFailsOneCommand", TestUnstorableEventFailsOneCommand},
		{"CityChanges", TestCityChanges},
		{"ReplaceCity", TestReplaceCity},
	}
	journals := []struct {
		name string
		open func(t *testing.T) cc112.Journal
	}{
		{"bolt", func(t *testing.T) cc112.Journal { return testjournal.Bolt(t) }},
		{"postgres", func(t *testing.T) cc112.Journal { return testjournal.Postgres(t) }},
	}
	for _, j := range journals {
		t.Run(j.name, func(t *testing.T) {
			realJournal = j.open
			defer func() { realJournal = nil }()
			for _, tc := range suite {
				t.Run(tc.name, tc.fn)
			}
		})
	}
}
