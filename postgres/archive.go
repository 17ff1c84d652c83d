package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"cc112"
)

var _ cc112.IncidentArchive = (*Journal)(nil)

// projectArchived stores the document in incident_archive (migration 017),
// in the transaction of its event.
func projectArchived(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentDocumentPayload) {
	if p.Incident == nil {
		return
	}
	b.Queue(`insert into incident_archive (id, received_at, doc) values ($1, $2, ($3::jsonb)->'incident')
		on conflict (id) do update set received_at = excluded.received_at, doc = excluded.doc`,
		p.Incident.ID, p.Incident.ReceivedAt, string(ev.Data))
}

// projectRestored drops the document: the engine holds the incident again.
func projectRestored(b *pgx.Batch, _ cc112.Event, p *cc112.IncidentDocumentPayload) {
	if p.Incident != nil {
		b.Queue(`delete from incident_archive where id = $1`, p.Incident.ID)
	}
}

// ArchivedIncident is the archived document of id, nil when not archived.
func (j *Journal) ArchivedIncident(ctx context.Context, id string) (*cc112.Incident, error) {
	incs, err := j.ArchivedIncidents(ctx, []string{id})
	if err != nil || len(incs) == 0 {
		return nil, err
	}
	return incs[0], nil
}

// ArchivedIncidents is the archived documents of ids, in one query; ids
// not archived are left out.
func (j *Journal) ArchivedIncidents(ctx context.Context, ids []string) ([]*cc112.Incident, error) {
	rows, err := j.pool.Query(ctx, `select doc from incident_archive where id = any($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("archived incidents: %w", err)
	}
	incs, err := pgx.CollectRows(rows, decodeDoc)
	if err != nil {
		return nil, fmt.Errorf("archived incidents: %w", err)
	}
	return incs, nil
}

func decodeDoc(r pgx.CollectableRow) (*cc112.Incident, error) {
	var doc []byte
	if err := r.Scan(&doc); err != nil {
		return nil, err
	}
	inc := new(cc112.Incident)
	return inc, json.Unmarshal(doc, inc)
}

// archivePage is how many documents EachArchived reads per query.
const archivePage = 500

// EachArchived walks the archive newest first from before, a page of rows
// per query on the (received_at, id) index; see cc112.IncidentArchive.
func (j *Journal) EachArchived(ctx context.Context, before *cc112.HistoryKey, fn func(*cc112.Incident) bool) error {
	after := before
	for {
		var rows pgx.Rows
		var err error
		if after == nil {
			rows, err = j.pool.Query(ctx, `select doc from incident_archive order by received_at desc, id desc limit $1`, archivePage)
		} else {
			rows, err = j.pool.Query(ctx, `select doc from incident_archive where (received_at, id) < ($1, $2)
				order by received_at desc, id desc limit $3`, after.ReceivedAt, after.ID, archivePage)
		}
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		incs, err := pgx.CollectRows(rows, decodeDoc)
		if err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		for _, inc := range incs {
			if !fn(inc) {
				return nil
			}
		}
		if len(incs) < archivePage {
			return nil
		}
		last := incs[len(incs)-1]
		after = &cc112.HistoryKey{ReceivedAt: last.ReceivedAt, ID: last.ID}
	}
}
