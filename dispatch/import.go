package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cc112"
	"cc112/geo"
	"cc112/internal/shrink"
)

// An imported incident (cc112.EvIncidentImported) carries one whole historical incident (its
// assignments and timeline) loaded from a past log. It never touches live
// units, the incident is never active, and it is not sent to the live feed
// (a year of history would flood the wall); the metrics see it through the
// OnIncident hook.

// ImportedUnit is one unit's part in a historical incident.
type ImportedUnit struct {
	Callsign     string         `json:"callsign"`
	Type         cc112.UnitType `json:"type"`
	Agency       string         `json:"agency,omitempty"` // default: the type's agency (DefaultAgency)
	DispatchedAt *time.Time     `json:"dispatched_at,omitempty"`
	EnrouteAt    *time.Time     `json:"enroute_at,omitempty"`
	OnsceneAt    *time.Time     `json:"onscene_at,omitempty"`
	ClearedAt    *time.Time     `json:"cleared_at,omitempty"`
}

// ImportedIncident is one line of a historical import. Timestamps are kept
// as they are, even out of order: the metrics flag such incidents.
type ImportedIncident struct {
	ExternalID  string         `json:"external_id"`
	Category    cc112.Category `json:"category"`
	Priority    int            `json:"priority"`
	Location    *geo.Point     `json:"location"`
	District    *string        `json:"district,omitempty"` // default: the kecamatan of location ("" outside the city)
	Address     string         `json:"address,omitempty"`
	Description string         `json:"description,omitempty"`
	ReceivedAt  *time.Time     `json:"received_at"`
	// CallReceivedAt is when the call was answered, where the source keeps
	// it apart from the record's creation: the response clock starts there.
	CallReceivedAt *time.Time     `json:"call_received_at,omitempty"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`
	Units          []ImportedUnit `json:"units"`
}

// DefaultAgency is the agency of a unit type when an import names none.
var DefaultAgency = map[cc112.UnitType]string{
	cc112.UnitFire: "damkar", cc112.UnitPolice: "polri", cc112.UnitDKP: "dkp",
	cc112.UnitAmbulance: "dinkes", cc112.UnitRescue: "bpbd",
}

const (
	maxExternalID    = 200
	maxImportedUnits = 100
)

// Times before 1970-01-02 or after 2200 are typos, not history (and 0 ms
// means "absent" in the journaled form).
var (
	earliestImport = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	latestImport   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Validate checks an imported incident and fills defaults. Locations
// outside the city are allowed; timestamps out of order are allowed.
func (m *ImportedIncident) Validate(plan cc112.ResponsePlan) error {
	m.ExternalID = strings.TrimSpace(m.ExternalID)
	if m.ExternalID == "" {
		return cc112.Errorf(cc112.EInvalid, "external_id is required")
	}
	if err := cc112.CheckText("external_id", m.ExternalID, maxExternalID); err != nil {
		return err
	}
	// The same rules as a live incident for what both have.
	live := NewIncident{Category: m.Category, Priority: m.Priority, Location: m.Location,
		Address: m.Address, Description: m.Description, Source: "phone"}
	if err := live.Validate(plan); err != nil {
		return err
	}
	m.Priority = live.Priority
	if m.ReceivedAt == nil {
		return cc112.Errorf(cc112.EInvalid, "received_at is required")
	}
	if err := checkImportTime("received_at", m.ReceivedAt); err != nil {
		return err
	}
	if err := checkImportTime("call_received_at", m.CallReceivedAt); err != nil {
		return err
	}
	if err := checkImportTime("closed_at", m.ClosedAt); err != nil {
		return err
	}
	if m.District != nil {
		if err := cc112.CheckText("district", *m.District, maxName); err != nil {
			return err
		}
	}
	if len(m.Units) > maxImportedUnits {
		return cc112.Errorf(cc112.EInvalid, "more than %d units", maxImportedUnits)
	}
	for k := range m.Units {
		u := &m.Units[k]
		if strings.TrimSpace(u.Callsign) == "" {
			return cc112.Errorf(cc112.EInvalid, "units[%d].callsign is required", k)
		}
		if err := cc112.CheckText(fmt.Sprintf("units[%d].callsign", k), u.Callsign, maxName); err != nil {
			return err
		}
		if !u.Type.Valid() {
			return cc112.Errorf(cc112.EInvalid, "units[%d].type %q is not a unit type", k, u.Type)
		}
		if u.Agency == "" {
			u.Agency = DefaultAgency[u.Type]
		}
		if err := cc112.CheckText(fmt.Sprintf("units[%d].agency", k), u.Agency, maxName); err != nil {
			return err
		}
		for _, f := range []struct {
			name string
			t    *time.Time
		}{{"dispatched_at", u.DispatchedAt}, {"enroute_at", u.EnrouteAt}, {"onscene_at", u.OnsceneAt}, {"cleared_at", u.ClearedAt}} {
			if err := checkImportTime(fmt.Sprintf("units[%d].%s", k, f.name), f.t); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkImportTime(name string, t *time.Time) error {
	if t != nil && (t.Before(earliestImport) || t.After(latestImport)) {
		return cc112.Errorf(cc112.EInvalid, "%s %s is not a plausible time", name, t.Format(time.RFC3339))
	}
	return nil
}

func (m *ImportedIncident) payload(district string) *cc112.IncidentImportedPayload {
	p := &cc112.IncidentImportedPayload{
		ExternalID: m.ExternalID, ID: NewID("inc"), Category: m.Category, Priority: m.Priority,
		Location: *m.Location, District: district, Address: m.Address, Description: m.Description,
		ReceivedMs: cc112.Millis(m.ReceivedAt), CallReceivedMs: cc112.Millis(m.CallReceivedAt), ClosedMs: cc112.Millis(m.ClosedAt), Units: make([]cc112.ImportedUnitPayload, len(m.Units)),
	}
	for k, u := range m.Units {
		p.Units[k] = cc112.ImportedUnitPayload{
			Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, DispatchedMs: cc112.Millis(u.DispatchedAt),
			EnrouteMs: cc112.Millis(u.EnrouteAt), OnsceneMs: cc112.Millis(u.OnsceneAt), ClearedMs: cc112.Millis(u.ClearedAt),
		}
	}
	return p
}

// ErrAlreadyImported is the per-incident answer for an external_id that
// the engine holds already (an import run twice): skipped, not duplicated.
var ErrAlreadyImported = cc112.Errorf(cc112.EConflict, "already imported")

// ImportIncidents loads a batch of historical incidents in one command:
// one incident.imported event each, durable together. The answer has one
// entry per input: nil when imported, else why not (ErrAlreadyImported
// for a repeat, an invalid_argument error for a bad one); the others are
// imported regardless. err is for the batch as a whole (journal down).
func (e *Engine) ImportIncidents(ctx context.Context, batch []ImportedIncident) (results []error, err error) {
	results = make([]error, len(batch))
	districts := make([]string, len(batch))
	valid := 0
	for k := range batch {
		m := &batch[k]
		if results[k] = m.Validate(e.plan()); results[k] != nil {
			continue
		}
		valid++
		switch {
		case m.District != nil:
			districts[k] = *m.District
		case e.cfg.Districts != nil:
			districts[k] = e.cfg.Districts.Locate(*m.Location)
		}
	}
	if valid == 0 {
		return results, nil
	}
	for {
		gen, archived, err := e.archivedImports(ctx, batch, results)
		if err != nil {
			return nil, err
		}
		out := slices.Clone(results)
		_, err = Run(ctx, e, "", "", func(tx *Tx) (any, error) {
			if e.importsArchived != gen {
				return nil, errArchivedMeanwhile
			}
			seen := make(map[string]bool, valid)
			for k := range batch {
				m := &batch[k]
				if out[k] != nil {
					continue
				}
				if _, dup := e.imported[m.ExternalID]; dup || seen[m.ExternalID] || archived[m.ExternalID] {
					out[k] = ErrAlreadyImported
					continue
				}
				seen[m.ExternalID] = true
				tx.Emit(cc112.EvIncidentImported, m.payload(districts[k]))
			}
			return nil, nil
		})
		if errors.Is(err, errArchivedMeanwhile) {
			continue // read the archive again
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// errArchivedMeanwhile sends an import back to the archive: an imported
// incident was archived since it read it.
var errArchivedMeanwhile = errors.New("an imported incident was archived meanwhile")

// archivedImports reads, before the import takes the engine's lock, which
// of the batch's valid external ids name archived imported incidents: in
// the archive sweep running now, or in the archive (an ImportArchive).
// gen is the count of archived imports when it began: the import reads
// again if it changed before the command ran.
func (e *Engine) archivedImports(ctx context.Context, batch []ImportedIncident, results []error) (gen uint64, archived map[string]bool, err error) {
	archived = map[string]bool{}
	e.mu.RLock()
	gen = e.importsArchived
	for _, inc := range e.archiving {
		if inc.Source == cc112.ImportSource {
			archived[inc.Number] = true
		}
	}
	e.mu.RUnlock()
	a, ok := e.cfg.Archive.(cc112.ImportArchive)
	if !ok {
		return gen, archived, nil
	}
	ids := make([]string, 0, len(batch))
	for k := range batch {
		if results[k] == nil {
			ids = append(ids, batch[k].ExternalID)
		}
	}
	found, err := a.ArchivedImports(ctx, ids)
	if err != nil {
		return 0, nil, cc112.Errorf(cc112.EUnavailable, "incident archive: %v", err)
	}
	for ext := range found {
		archived[ext] = true
	}
	return gen, archived, nil
}

// forgetImported drops an archived imported incident's external id: the
// archive finds it from now on (archivedImports).
func (e *Engine) forgetImported(inc *cc112.Incident) {
	if id, ok := e.imported[inc.Number]; ok && inc.Source == cc112.ImportSource && id == inc.ID {
		shrink.Delete(&e.imported, &e.importedPeak, inc.Number)
		e.importsArchived++
	}
}

// rememberImported takes a restored imported incident's external id back.
func (e *Engine) rememberImported(inc *cc112.Incident) {
	if inc.Source == cc112.ImportSource {
		e.imported[inc.Number] = inc.ID
	}
}

func (e *Engine) applyImported(p cc112.IncidentImportedPayload) error {
	if p.ID == "" || p.ExternalID == "" || p.ReceivedMs == 0 {
		return fmt.Errorf("imported incident without id, external_id or received time")
	}
	inc := p.Incident()
	// Only the external ids in memory are checked: the archive holds the
	// journal's end, not its state at this event. A repeat of an archived
	// one never reaches the journal (ImportIncidents reads the archive).
	if _, dup := e.imported[p.ExternalID]; dup {
		return fmt.Errorf("external_id %q imported twice", p.ExternalID)
	}
	if _, dup := e.incidents[inc.ID]; dup {
		return fmt.Errorf("incident %q exists", inc.ID)
	}
	e.incidents[inc.ID] = inc
	e.index.add(inc)
	e.imported[p.ExternalID] = inc.ID
	e.changedIncident("", inc) // the hook only: history is not news
	return nil
}

// ImportedCount is the number of imported incidents the engine holds
// (those archived are in the archive).
func (e *Engine) ImportedCount() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.imported)
}

// Categories lists the categories of the response plan, sorted.
func (e *Engine) Categories() []cc112.Category {
	plan := e.plan()
	out := make([]cc112.Category, 0, len(plan))
	for c := range plan {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
