package dispatch

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"cc112"
)

// MaxAlarmLevel is the highest alarm level; level 1 is the plan itself.
const MaxAlarmLevel = 3

// AlarmResult is the answer to raising an alarm: the incident as it now is
// and what it needs beyond the units on it (auto-assignment sends that).
type AlarmResult struct {
	Incident *cc112.Incident `json:"incident"`
	Short    []cc112.Need    `json:"short"`
}

// RaiseAlarm raises an open incident's alarm to level 2 or 3: the extra
// needs of the levels up to it are recommended and auto-assigned from then
// on. Lowering is refused: a raised alarm is part of the incident's record
// (units no longer needed are released one by one), and the same level
// again is a conflict, so a double click sends nothing twice.
func (e *Engine) RaiseAlarm(ctx context.Context, incidentID string, level int, by Author, key, fingerprint string) (*AlarmResult, error) {
	if level < 2 || level > MaxAlarmLevel {
		return nil, cc112.Errorf(cc112.EInvalid, "level must be 2 or %d, got %d", MaxAlarmLevel, level)
	}
	return RunOn(ctx, e, []string{incidentID}, key, fingerprint, func(tx *Tx) (*AlarmResult, error) {
		inc, err := tx.activeIncident(incidentID)
		if err != nil {
			return nil, err
		}
		if cur := max(inc.AlarmLevel, 1); level <= cur {
			return nil, cc112.Errorf(cc112.EConflict, "incident %s is at alarm level %d already: an alarm is only raised, never lowered", inc.Number, cur)
		}
		tx.Emit(cc112.EvIncidentAlarm, cc112.IncidentAlarmPayload{IncidentID: inc.ID, Level: level, By: by.Username, Role: by.Role})
		inc = e.incidents[inc.ID]
		return &AlarmResult{Incident: inc.Clone(), Short: e.shortfall(inc)}, nil
	})
}

func (e *Engine) applyAlarm(at time.Time, p cc112.IncidentAlarmPayload) error {
	inc, err := e.appliedIncident(p.IncidentID)
	if err != nil {
		return err
	}
	if !inc.Active() || p.Level <= max(inc.AlarmLevel, 1) || p.Level > MaxAlarmLevel {
		return fmt.Errorf("incident %s cannot go from alarm level %d to %d", inc.ID, inc.AlarmLevel, p.Level)
	}
	inc.Changes = append(inc.Changes, cc112.Change{At: at, Event: "alarm", By: p.By, Role: p.Role,
		Fields: []cc112.FieldChange{{Field: "alarm_level", From: strconv.Itoa(max(inc.AlarmLevel, 1)), To: strconv.Itoa(p.Level)}}})
	inc.AlarmLevel = p.Level
	e.changedIncident(cc112.LiveIncidentUpdated, inc)
	return nil
}
