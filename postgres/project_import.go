package postgres

import (
	"github.com/jackc/pgx/v5"

	"cc112"
)

// projectImported writes a historical incident as the engine holds it
// (cc112.IncidentImportedPayload.Incident). It does not count towards the
// day's live numbering.
func projectImported(b *pgx.Batch, seq int64, p *cc112.IncidentImportedPayload) {
	inc := p.Incident()
	b.Queue(`insert into incidents (id, number, wib_day, category, priority, status, lat, lon, district, address,
			description, source, received_at, dispatched_at, enroute_at, onscene_at, closed_at, disposition, last_seq,
			call_received_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		inc.ID, inc.Number, inc.ReceivedAt.In(cc112.WIB).Format("20060102"), string(inc.Category), inc.Priority, string(inc.Status),
		inc.Location.Lat, inc.Location.Lon, inc.District, inc.Address, inc.Description, inc.Source,
		inc.ReceivedAt, inc.DispatchedAt, inc.EnrouteAt, inc.OnsceneAt, inc.ClosedAt, inc.Disposition, seq,
		inc.CallReceivedAt)
	for k, a := range inc.Assignments {
		b.Queue(`insert into assignments (seq, ord, incident_id, unit_id, callsign, unit_type, agency, status,
				dispatched_at, enroute_at, onscene_at, cleared_at)
			values ($1, $2, $3, null, $4, $5, $6, $7, $8, $9, $10, $11)`,
			seq, k, inc.ID, a.Callsign, string(a.Type), a.Agency, string(a.Status),
			nullTime(a.DispatchedAt), a.EnrouteAt, a.OnsceneAt, a.ClearedAt)
	}
}
