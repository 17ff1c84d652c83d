package postgres

import (
	"github.com/jackc/pgx/v5"

	"cc112"
)

// projectAlertRaised adds an alert as raised.
func projectAlertRaised(b *pgx.Batch, ev cc112.Event, p *cc112.Alert) {
	b.Queue(`insert into alerts (id, kind, severity, key, incident_id, unit_id, unit_type, grp, agency, due_at, raised_at, last_seq)
		values ($1, $2, $3, $4, nullif($5, ''), nullif($6, ''), $7, $8, $9, $10, $11, $12)`,
		p.ID, p.Kind, p.Severity, p.Key, p.IncidentID, p.UnitID, p.UnitType, p.Group, p.Agency, p.DueAt, ev.At, int64(ev.Seq))
}

func projectAlertAcknowledged(b *pgx.Batch, ev cc112.Event, p *cc112.AlertAcknowledgedPayload) {
	b.Queue(`update alerts set acknowledged_by = $2, acknowledged_at = $3, last_seq = $4 where id = $1`,
		p.AlertID, p.By, ev.At, int64(ev.Seq))
}

func projectAlertCleared(b *pgx.Batch, ev cc112.Event, p *cc112.AlertClearedPayload) {
	b.Queue(`update alerts set cleared_at = $2, last_seq = $3 where id = $1`, p.AlertID, ev.At, int64(ev.Seq))
}
