package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"cc112"
	"cc112/kpi"
)

var (
	_ cc112.IncidentArchive = (*Journal)(nil)
	_ kpi.Archive           = (*Journal)(nil)
)

// projectArchived stores the document in incident_archive (migration 017)
// and its metrics record in incident_archive_metrics (018), in the
// transaction of its event.
func projectArchived(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentDocumentPayload) {
	if p.Incident == nil {
		return
	}
	b.Queue(`insert into incident_archive (id, received_at, doc) values ($1, $2, ($3::jsonb)->'incident')
		on conflict (id) do update set received_at = excluded.received_at, doc = excluded.doc`,
		p.Incident.ID, p.Incident.ReceivedAt, string(ev.Data))
	queueRecord(b, p.Incident.ID, p.Incident.ReceivedAt, kpi.ArchiveRecord(p.Incident))
}

func queueRecord(b *pgx.Batch, id string, receivedAt time.Time, rec []byte) {
	b.Queue(`insert into incident_archive_metrics (id, received_at, record) values ($1, $2, $3)
		on conflict (id) do update set received_at = excluded.received_at, record = excluded.record`, id, receivedAt, rec)
}

// EachArchivedRecord walks the metrics records of the incidents received
// in [from, to) in one query on incident_archive_metrics, in the table's
// order (kpi.Archive asks none: an index scan in received_at order read
// a year at Jakarta's volume a heap page per row). The rows of a
// version before it are measured once they are filled
// (fillArchiveMetrics, at open).
func (j *Journal) EachArchivedRecord(ctx context.Context, from, to time.Time, fn func(rec []byte) bool) error {
	lo, hi := receivedBounds(from, to)
	rows, err := j.pool.Query(ctx, `select record from incident_archive_metrics
		where received_at >= $1 and received_at < $2`, lo, hi)
	return eachRecord(rows, err, fn)
}

// ArchivedRecordsAfter reads a page of the window in key order on the
// index incident_archive_metrics_order (migration 018); see kpi.Archive.
func (j *Journal) ArchivedRecordsAfter(ctx context.Context, from, to time.Time, after *cc112.HistoryKey, limit int, fn func(rec []byte) bool) error {
	lo, hi := receivedBounds(from, to)
	if after == nil {
		rows, err := j.pool.Query(ctx, `select record from incident_archive_metrics
			where received_at >= $1 and received_at < $2 order by received_at, id limit $3`, lo, hi, limit)
		return eachRecord(rows, err, fn)
	}
	rows, err := j.pool.Query(ctx, `select record from incident_archive_metrics
		where received_at >= $1 and received_at < $2 and (received_at, id) > ($3, $4)
		order by received_at, id limit $5`, lo, hi, after.ReceivedAt, after.ID, limit)
	return eachRecord(rows, err, fn)
}

// receivedBounds are [from, to) as timestamps, a zero bound infinite.
func receivedBounds(from, to time.Time) (lo, hi pgtype.Timestamptz) {
	lo = pgtype.Timestamptz{Time: from, Valid: true}
	if from.IsZero() {
		lo.InfinityModifier = pgtype.NegativeInfinity
	}
	hi = pgtype.Timestamptz{Time: to, Valid: true}
	if to.IsZero() {
		hi.InfinityModifier = pgtype.Infinity
	}
	return lo, hi
}

// eachRecord calls fn with the record column of rows until it returns false.
func eachRecord(rows pgx.Rows, err error, fn func(rec []byte) bool) error {
	if err != nil {
		return fmt.Errorf("archive metrics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		// bytea's binary form is its bytes: no copy per row (a year of a
		// large city is hundreds of thousands).
		if !fn(rows.RawValues()[0]) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("archive metrics: %w", err)
	}
	return nil
}

// recordOf is the metrics record of an archived document.
func recordOf(doc []byte) ([]byte, error) {
	inc := new(cc112.Incident)
	if err := json.Unmarshal(doc, inc); err != nil {
		return nil, err
	}
	return kpi.ArchiveRecord(inc), nil
}

// fillBatch is how many archived rows fillArchiveMetrics fills per
// transaction.
const fillBatch = 500

// fillArchiveMetrics writes the metrics record of every archived incident
// migration 018 marked unmeasured (archived by an older version), a batch
// per transaction; the next start goes on where a stopped one left off.
func (j *Journal) fillArchiveMetrics(ctx context.Context) error {
	total := 0
	for {
		rows, err := j.pool.Query(ctx, `select id, received_at, doc from incident_archive where unmeasured limit $1`, fillBatch)
		if err != nil {
			return fmt.Errorf("postgres: fill archive metrics: %w", err)
		}
		type unfilled struct {
			id  string
			at  time.Time
			doc []byte
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (unfilled, error) {
			var u unfilled
			return u, r.Scan(&u.id, &u.at, &u.doc)
		})
		if err != nil {
			return fmt.Errorf("postgres: fill archive metrics: %w", err)
		}
		b := &pgx.Batch{}
		for _, u := range list {
			rec, err := recordOf(u.doc)
			if err != nil {
				return fmt.Errorf("postgres: fill archive metrics: archived %s: %w", u.id, err)
			}
			queueRecord(b, u.id, u.at, rec)
			b.Queue(`update incident_archive set unmeasured = null where id = $1`, u.id)
		}
		if b.Len() > 0 {
			if err := pgx.BeginFunc(ctx, j.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() }); err != nil {
				return fmt.Errorf("postgres: fill archive metrics: %w", err)
			}
		}
		total += len(list)
		if len(list) < fillBatch {
			if total > 0 {
				j.log.Info("postgres journal: filled the metrics records of an older version's archive", "incidents", total)
			}
			return nil
		}
	}
}

// projectRestored drops the document (and its metrics record, by the
// foreign key): the engine holds the incident again.
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
