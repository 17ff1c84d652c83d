package ui

import (
	"net/http"
	"slices"

	"cc112"
	"cc112/callcenter"
)

// Catalog is every stable code the pages show, from its one Go home: the
// pages keep only the labels (keyed by code) and never a copy of a list.
type Catalog struct {
	// IncidentCategories are the categories the engine accepts (its response
	// plan), in display order, each with the units it needs and the
	// priority the intake forms preselect.
	IncidentCategories []CatalogCategory      `json:"incident_categories"`
	Priorities         []int                  `json:"priorities"`
	IncidentStatuses   []cc112.IncidentStatus `json:"incident_statuses"`
	IncidentSources    []string               `json:"incident_sources"`
	UnitTypes          []cc112.UnitType       `json:"unit_types"`
	UnitStatuses       []cc112.UnitStatus     `json:"unit_statuses"`
	CameraStatuses     []cc112.CameraStatus   `json:"camera_statuses"`
	AlertKinds         []cc112.AlertKind      `json:"alert_kinds"`
	AlertSeverities    []cc112.AlertSeverity  `json:"alert_severities"`
	// The call center's codes; agencies are this server's configuration.
	CallChannels        []string `json:"call_channels"`
	Agencies            []string `json:"agencies"`
	ComplaintCategories []string `json:"complaint_categories"`
	ComplaintChannels   []string `json:"complaint_channels"`
	ComplaintStatuses   []string `json:"complaint_statuses"`
}

// CatalogCategory is one incident category of the catalog.
type CatalogCategory struct {
	Code     cc112.Category `json:"code"`
	Priority int            `json:"priority"`
	Plan     []cc112.Need   `json:"plan"`
}

// catalog builds the catalog from the engine's plan and the root package's
// lists; a category a configured plan adds comes after the known ones.
func (s *Server) catalog() Catalog {
	plan := s.eng.Plan()
	order := slices.Clone(cc112.Categories)
	for _, c := range s.eng.Categories() { // sorted: a stable place for extras
		if !slices.Contains(order, c) {
			order = append(order, c)
		}
	}
	c := Catalog{
		IncidentStatuses: cc112.IncidentStatuses, IncidentSources: cc112.Channels,
		UnitTypes: cc112.UnitTypes, UnitStatuses: cc112.UnitStatuses, CameraStatuses: cc112.CameraStatuses,
		AlertKinds: cc112.AlertKinds, AlertSeverities: cc112.AlertSeverities,
		CallChannels: callcenter.CallChannels, Agencies: callcenter.DefaultAgencies,
		ComplaintCategories: cc112.ComplaintCategories, ComplaintChannels: cc112.ComplaintChannels,
		ComplaintStatuses: cc112.ComplaintStatuses,
	}
	for _, cat := range order {
		if needs, ok := plan[cat]; ok {
			c.IncidentCategories = append(c.IncidentCategories, CatalogCategory{Code: cat, Priority: cat.DefaultPriority(), Plan: needs})
		}
	}
	for p := cc112.MinPriority; p <= cc112.MaxPriority; p++ {
		c.Priorities = append(c.Priorities, p)
	}
	if s.calls != nil {
		c.Agencies = s.calls.Agencies()
	}
	return c
}

func (s *Server) getCatalog(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.catalog())
}
