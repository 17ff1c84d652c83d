package dispatch

import (
	"fmt"
	"time"

	"cc112"
)

func (e *Engine) applyAcknowledged(at time.Time, p cc112.AssignmentAcknowledgedPayload) error {
	inc, err := e.appliedIncident(p.IncidentID)
	if err != nil {
		return err
	}
	for k := len(inc.Assignments) - 1; k >= 0; k-- {
		if a := inc.Assignments[k]; a.UnitID == p.UnitID && a.Active() {
			if a.AcknowledgedAt == nil {
				a.AcknowledgedAt = &at
			}
			e.changedIncident(cc112.LiveIncidentUpdated, inc)
			return nil
		}
	}
	return fmt.Errorf("unit %q has no active assignment on incident %s", p.UnitID, inc.ID)
}
