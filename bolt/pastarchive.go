package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"cc112"
)

// What else leaves the engine's memory with the years, kept in the
// transaction of its event: "archive_imports" maps the external id of an
// archived imported incident (its number) to its id, written and dropped
// with the archive's document (applyArchive) and filled at open for an
// older archive (fillArchive); "roster_archive" maps a unit's id, a NUL
// and the 8-byte start of a shift (appendTime) to the shift's JSON
// (roster.archived). Shifts never overlap per unit, so a start orders
// them and a cursor walk finds the one covering a time.
const (
	importBucket = "archive_imports"
	shiftBucket  = "roster_archive"
)

var (
	_ cc112.ImportArchive = (*Journal)(nil)
	_ cc112.ShiftArchive  = (*Journal)(nil)
)

// applyImportIndex keeps archive_imports in step with the archive's
// operations of a batch: an imported incident archived is put, one
// restored dropped. The bucket is made with the archive even when no
// import is archived: an archive without it is an older build's, which
// Open indexes by decoding every document.
func applyImportIndex(tx *bbolt.Tx, ops []archiveOp) error {
	b, err := tx.CreateBucketIfNotExists([]byte(importBucket))
	if err != nil {
		return err
	}
	for _, op := range ops {
		if op.externalID == "" {
			continue
		}
		if op.doc == nil {
			err = b.Delete([]byte(op.externalID))
		} else {
			err = b.Put([]byte(op.externalID), []byte(op.id))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// importedExternalID is the external id of an imported incident ("" for
// any other).
func importedExternalID(inc *cc112.Incident) string {
	if inc.Source != cc112.ImportSource {
		return ""
	}
	return inc.Number
}

// ArchivedImports maps those of externalIDs that name archived imported
// incidents to their ids, in one read transaction.
func (j *Journal) ArchivedImports(_ context.Context, externalIDs []string) (map[string]string, error) {
	out := map[string]string{}
	err := j.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(importBucket))
		if b == nil {
			return nil
		}
		for _, ext := range externalIDs {
			if id := b.Get([]byte(ext)); id != nil {
				out[ext] = string(id)
			}
		}
		return nil
	})
	return out, err
}

// shiftOp is one archived shift of a batch: its key and JSON.
type shiftOp struct{ key, doc []byte }

// shiftOps decodes the batch's roster.archived events before its
// transaction, so that a payload that is not shifts refuses the batch
// (ErrUnstorable) instead of failing the journal.
func shiftOps(batch []cc112.Event) ([]shiftOp, error) {
	var ops []shiftOp
	for i := range batch {
		ev := &batch[i]
		if ev.Type != cc112.EvRosterArchived {
			continue
		}
		var p cc112.RosterArchivedPayload
		err := json.Unmarshal(ev.Data, &p)
		if err == nil {
			err = p.Check()
		}
		if err != nil {
			return nil, fmt.Errorf("event %d (%s): %w", ev.Seq, ev.Type, err)
		}
		for _, s := range p.Shifts {
			doc, err := json.Marshal(s)
			if err != nil {
				return nil, err
			}
			ops = append(ops, shiftOp{shiftKey(s.UnitID, s.From), doc})
		}
	}
	return ops, nil
}

func shiftKey(unit string, from time.Time) []byte {
	return appendTime(append(append(make([]byte, 0, len(unit)+9), unit...), 0), from)
}

// unitPrefix is what every key of unit's shifts begins with.
func unitPrefix(unit string) []byte { return append([]byte(unit), 0) }

// seekShift puts c on unit's shift that starts last at or before t (nil
// when none does).
func seekShift(c *bbolt.Cursor, unit string, t time.Time) (k, v []byte) {
	k, v = c.Seek(shiftKey(unit, t.Add(1))) // the first shift starting after t
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, unitPrefix(unit)) {
		return nil, nil
	}
	return k, v
}

// applyShiftArchive writes the batch's archived shifts in its transaction.
func applyShiftArchive(tx *bbolt.Tx, ops []shiftOp) error {
	if len(ops) == 0 {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists([]byte(shiftBucket))
	if err != nil {
		return err
	}
	for _, op := range ops {
		if err := b.Put(op.key, op.doc); err != nil {
			return err
		}
	}
	return nil
}

// ArchivedShiftsAt is each unit's archived shift covering t: the one that
// starts last at or before t, a cursor seek per unit.
func (j *Journal) ArchivedShiftsAt(_ context.Context, units []string, t time.Time) ([]cc112.Shift, error) {
	var out []cc112.Shift
	err := j.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(shiftBucket))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for _, unit := range units {
			k, v := seekShift(c, unit, t)
			if k == nil {
				continue
			}
			s, err := j.decodeShift(k, v)
			if err != nil {
				return err
			}
			if s.Covers(t) {
				out = append(out, s)
			}
		}
		return nil
	})
	return out, err
}

// ArchivedShifts walks unit's archived shifts forward from the one that
// may cover from, or from the cursor *after when later.
func (j *Journal) ArchivedShifts(_ context.Context, unit string, from time.Time, after *time.Time, limit int) ([]cc112.Shift, error) {
	var out []cc112.Shift
	err := j.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(shiftBucket))
		if b == nil {
			return nil
		}
		prefix := unitPrefix(unit)
		c := b.Cursor()
		// The shift starting last at or before the lower bound may end
		// after from: start there, and let the checks below skip what
		// does not fit.
		lo := from
		if after != nil && after.After(lo) {
			lo = *after
		}
		k, v := seekShift(c, unit, lo)
		if k == nil {
			k, v = c.Seek(prefix)
		}
		for ; k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, v = c.Next() {
			s, err := j.decodeShift(k, v)
			if err != nil {
				return err
			}
			if s.To.After(from) && (after == nil || s.From.After(*after)) {
				out = append(out, s)
			}
		}
		return nil
	})
	return out, err
}

func (j *Journal) decodeShift(k, v []byte) (cc112.Shift, error) {
	var s cc112.Shift
	if err := json.Unmarshal(v, &s); err != nil {
		return s, fmt.Errorf("%w: %s: archived shift %x: %w", ErrCorrupt, j.path, k, err)
	}
	return s, nil
}
