package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
)

var (
	_ cc112.ImportArchive = (*Journal)(nil)
	_ cc112.ShiftArchive  = (*Journal)(nil)
)

// archivedImportsSQL finds archived imported incidents by external id on
// the partial expression index of migration 019: the source is written
// out as the index's predicate is (a parameter there would not prove it,
// and the lookup would read every document).
const archivedImportsSQL = `select doc->>'number', id from incident_archive
	where doc->>'source' = '` + cc112.ImportSource + `' and doc->>'number' = any($1)`

// ArchivedImports maps those of externalIDs that name archived imported
// incidents to their ids, in one query.
func (j *Journal) ArchivedImports(ctx context.Context, externalIDs []string) (map[string]string, error) {
	rows, err := j.pool.Query(ctx, archivedImportsSQL, externalIDs)
	if err != nil {
		return nil, fmt.Errorf("archived imports: %w", err)
	}
	out := map[string]string{}
	var ext, id string
	_, err = pgx.ForEachRow(rows, []any{&ext, &id}, func() error {
		out[ext] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("archived imports: %w", err)
	}
	return out, nil
}

// projectRosterArchived stores the shifts in roster_archive (migration
// 019), in the transaction of their event; what is not shifts is refused
// (ErrUnstorable). The times go as parameters: pgx and the lookups below
// cut them to the microsecond alike.
func projectRosterArchived(b *pgx.Batch, ev cc112.Event) error {
	var p cc112.RosterArchivedPayload
	err := json.Unmarshal(ev.Data, &p)
	if err == nil {
		err = p.Check()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", ev.Type, err)
	}
	units, docs := make([]string, len(p.Shifts)), make([]string, len(p.Shifts))
	from, to := make([]time.Time, len(p.Shifts)), make([]time.Time, len(p.Shifts))
	for k, s := range p.Shifts {
		doc, err := json.Marshal(s)
		if err != nil {
			return err
		}
		units[k], from[k], to[k], docs[k] = s.UnitID, s.From, s.To, string(doc)
	}
	b.Queue(`insert into roster_archive (unit_id, from_at, to_at, doc)
		select * from unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::jsonb[])
		on conflict (unit_id, from_at) do update set to_at = excluded.to_at, doc = excluded.doc`, units, from, to, docs)
	return nil
}

// ArchivedShiftsAt is each unit's archived shift covering t: the one that
// starts last at or before t, one index probe per unit. The columns hold
// microseconds, so the probe takes two (one may start after t within
// its microsecond) and the documents decide.
func (j *Journal) ArchivedShiftsAt(ctx context.Context, units []string, t time.Time) ([]cc112.Shift, error) {
	rows, err := j.pool.Query(ctx, `select s.doc from unnest($1::text[]) u(id) cross join lateral (
		select doc from roster_archive where unit_id = u.id and from_at <= $2 order by from_at desc limit 2) s`, units, t)
	if err != nil {
		return nil, fmt.Errorf("archived shifts: %w", err)
	}
	list, err := pgx.CollectRows(rows, decodeShift)
	if err != nil {
		return nil, fmt.Errorf("archived shifts: %w", err)
	}
	var out []cc112.Shift
	for _, s := range list {
		if s.Covers(t) {
			out = append(out, s)
		}
	}
	return out, nil
}

// ArchivedShifts is a page of unit's archived shifts on (unit_id, to_at):
// a unit's shifts end in the order they begin, and those ending after the
// cursor's start but beginning before it are at most the one it names.
func (j *Journal) ArchivedShifts(ctx context.Context, unit string, from time.Time, after *time.Time, limit int) ([]cc112.Shift, error) {
	lo := from
	if after != nil && after.After(lo) {
		lo = *after
	}
	// A microsecond looser than asked (the columns are rounded), and two
	// more rows for what the exact checks below drop.
	rows, err := j.pool.Query(ctx, `select doc from roster_archive where unit_id = $1 and to_at > $2
		order by to_at limit $3`, unit, lo.Add(-time.Microsecond), limit+2)
	if err != nil {
		return nil, fmt.Errorf("archived shifts: %w", err)
	}
	list, err := pgx.CollectRows(rows, decodeShift)
	if err != nil {
		return nil, fmt.Errorf("archived shifts: %w", err)
	}
	out := make([]cc112.Shift, 0, len(list))
	for _, s := range list {
		if s.To.After(from) && (after == nil || s.From.After(*after)) && len(out) < limit {
			out = append(out, s)
		}
	}
	return out, nil
}

func decodeShift(r pgx.CollectableRow) (cc112.Shift, error) {
	var doc []byte
	var s cc112.Shift
	if err := r.Scan(&doc); err != nil {
		return s, err
	}
	return s, json.Unmarshal(doc, &s)
}
