package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
)

// importPayload is the journaled form of a historical incident
// (dispatch/import.go): times are Unix milliseconds, 0 when absent.
type importPayload struct {
	ExternalID  string `json:"external_id"`
	ID          string `json:"id"`
	Category    string `json:"category"`
	Priority    int    `json:"priority"`
	Location    point  `json:"location"`
	District    string `json:"district"`
	Address     string `json:"address"`
	Description string `json:"description"`
	ReceivedMs  int64  `json:"received_ms"`
	ClosedMs    int64  `json:"closed_ms"`
	Units       []struct {
		Callsign     string `json:"callsign"`
		Type         string `json:"type"`
		Agency       string `json:"agency"`
		DispatchedMs int64  `json:"dispatched_ms"`
		EnrouteMs    int64  `json:"enroute_ms"`
		OnsceneMs    int64  `json:"onscene_ms"`
		ClearedMs    int64  `json:"cleared_ms"`
	} `json:"units"`
}

func fromMs(v int64) *time.Time {
	if v == 0 {
		return nil
	}
	t := time.UnixMilli(v).UTC()
	return &t
}

func earliest(cur, t *time.Time) *time.Time {
	if t == nil || (cur != nil && !t.Before(*cur)) {
		return cur
	}
	return t
}

// projectImported writes a historical incident as the engine holds it:
// closed, numbered by its external id, its timeline the earliest of each
// step over its units, one assignment per unit (named by callsign: the
// units of the past are not registered units). It does not count towards
// the day's live numbering.
func projectImported(b *pgx.Batch, seq int64, p importPayload) {
	var dispatched, enroute, onscene *time.Time
	for _, u := range p.Units {
		dispatched = earliest(dispatched, fromMs(u.DispatchedMs))
		enroute = earliest(enroute, fromMs(u.EnrouteMs))
		onscene = earliest(onscene, fromMs(u.OnsceneMs))
	}
	received := time.UnixMilli(p.ReceivedMs).UTC()
	b.Queue(`insert into incidents (id, number, wib_day, category, priority, status, lat, lon, district, address,
			description, source, received_at, dispatched_at, enroute_at, onscene_at, closed_at, disposition, last_seq)
		values ($1, $2, $3, $4, $5, 'closed', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'imported', $17)`,
		p.ID, p.ExternalID, received.In(cc112.WIB).Format("20060102"), p.Category, p.Priority, p.Location.Lat, p.Location.Lon,
		p.District, p.Address, p.Description, importSource, received, dispatched, enroute, onscene, fromMs(p.ClosedMs), seq)
	for k, u := range p.Units {
		status := "dispatched"
		switch {
		case u.OnsceneMs != 0:
			status = "onscene"
		case u.EnrouteMs != 0:
			status = "enroute"
		}
		b.Queue(`insert into assignments (seq, ord, incident_id, unit_id, callsign, unit_type, agency, status,
				dispatched_at, enroute_at, onscene_at, cleared_at)
			values ($1, $2, $3, null, $4, $5, $6, $7, $8, $9, $10, $11)`,
			seq, k, p.ID, u.Callsign, u.Type, u.Agency, status,
			fromMs(u.DispatchedMs), fromMs(u.EnrouteMs), fromMs(u.OnsceneMs), fromMs(u.ClearedMs))
	}
}
