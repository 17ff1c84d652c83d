package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"cc112"
)

// The archive of incidents the engine let go (incident.archived), kept in
// the transaction that stores the event: "archive" maps a key in the
// history's order (8-byte big-endian received_at nanoseconds, sign bit
// flipped, then the id) to the incident's JSON; "archive_ids" maps an id to
// that key. Newest-first paging is a cursor walk backwards.
const (
	archiveBucket   = "archive"
	archiveIDBucket = "archive_ids"
)

var _ cc112.IncidentArchive = (*Journal)(nil)

// archiveOp is what one event of a batch does to the archive: put doc
// under id, or drop id (doc nil).
type archiveOp struct {
	id  string
	key []byte
	doc []byte
}

// archiveOps decodes the archive's events of a batch before its
// transaction, so that a payload that is not an incident refuses the
// batch (ErrUnstorable) instead of failing the journal.
func archiveOps(batch []cc112.Event) ([]archiveOp, error) {
	var ops []archiveOp
	for i := range batch {
		ev := &batch[i]
		if ev.Type != cc112.EvIncidentArchived && ev.Type != cc112.EvIncidentRestored {
			continue
		}
		var p struct {
			Incident json.RawMessage `json:"incident"`
		}
		if err := json.Unmarshal(ev.Data, &p); err != nil || len(p.Incident) == 0 {
			return nil, fmt.Errorf("event %d (%s) holds no incident", ev.Seq, ev.Type)
		}
		// Only the archive's keys: the engine built the document, the
		// journal need not decode the whole incident again.
		var inc struct {
			ID         string    `json:"id"`
			ReceivedAt time.Time `json:"received_at"`
		}
		if err := json.Unmarshal(p.Incident, &inc); err != nil || inc.ID == "" {
			return nil, fmt.Errorf("event %d (%s): the incident does not decode: %v", ev.Seq, ev.Type, err)
		}
		op := archiveOp{id: inc.ID}
		if ev.Type == cc112.EvIncidentArchived {
			op.key, op.doc = archiveKey(inc.ReceivedAt, inc.ID), p.Incident
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func archiveKey(at time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano())^1<<63)
	return append(k, id...)
}

// applyArchive writes the batch's archive operations in its transaction.
func applyArchive(tx *bbolt.Tx, ops []archiveOp) error {
	if len(ops) == 0 {
		return nil
	}
	docs, err := tx.CreateBucketIfNotExists([]byte(archiveBucket))
	if err != nil {
		return err
	}
	ids, err := tx.CreateBucketIfNotExists([]byte(archiveIDBucket))
	if err != nil {
		return err
	}
	for _, op := range ops {
		if old := ids.Get([]byte(op.id)); old != nil {
			if err := docs.Delete(bytes.Clone(old)); err != nil {
				return err
			}
		}
		if op.doc == nil {
			if err := ids.Delete([]byte(op.id)); err != nil {
				return err
			}
			continue
		}
		if err := docs.Put(op.key, op.doc); err != nil {
			return err
		}
		if err := ids.Put([]byte(op.id), op.key); err != nil {
			return err
		}
	}
	return nil
}

// ArchivedIncident is the archived document of id, nil when not archived.
func (j *Journal) ArchivedIncident(ctx context.Context, id string) (*cc112.Incident, error) {
	incs, err := j.ArchivedIncidents(ctx, []string{id})
	if err != nil || len(incs) == 0 {
		return nil, err
	}
	return incs[0], nil
}

// ArchivedIncidents is the archived documents of ids, in one read
// transaction; ids not archived are left out.
func (j *Journal) ArchivedIncidents(_ context.Context, list []string) ([]*cc112.Incident, error) {
	var out []*cc112.Incident
	err := j.view(func(tx *bbolt.Tx) error {
		docs, ids := tx.Bucket([]byte(archiveBucket)), tx.Bucket([]byte(archiveIDBucket))
		if docs == nil || ids == nil {
			return nil
		}
		for _, id := range list {
			key := ids.Get([]byte(id))
			if key == nil {
				continue
			}
			doc := docs.Get(key)
			if doc == nil {
				return fmt.Errorf("%w: %s: archived incident %q has no document", ErrCorrupt, j.path, id)
			}
			inc := new(cc112.Incident)
			if err := json.Unmarshal(doc, inc); err != nil {
				return fmt.Errorf("%w: %s: archived incident %q: %w", ErrCorrupt, j.path, id, err)
			}
			out = append(out, inc)
		}
		return nil
	})
	return out, err
}

// EachArchived walks the archive newest first from before; see
// cc112.IncidentArchive. fn runs inside a read transaction: it must not
// write the journal's file (the engine's readers never do).
func (j *Journal) EachArchived(ctx context.Context, before *cc112.HistoryKey, fn func(*cc112.Incident) bool) error {
	return j.view(func(tx *bbolt.Tx) error {
		docs := tx.Bucket([]byte(archiveBucket))
		if docs == nil {
			return nil
		}
		c := docs.Cursor()
		var k, v []byte
		if before == nil {
			k, v = c.Last()
		} else {
			k, v = c.Seek(archiveKey(before.ReceivedAt, before.ID))
			if k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev() // Seek lands at or after the key: the walk starts below it
			}
		}
		for n := 0; k != nil; k, v = c.Prev() {
			if n++; n%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			inc := new(cc112.Incident)
			if err := json.Unmarshal(v, inc); err != nil {
				return fmt.Errorf("%w: %s: archive document %x: %w", ErrCorrupt, j.path, k, err)
			}
			if !fn(inc) {
				return nil
			}
		}
		return nil
	})
}

func (j *Journal) view(fn func(tx *bbolt.Tx) error) error {
	if j.closed.Load() {
		return cc112.ErrJournalClosed
	}
	err := j.db.View(fn)
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return cc112.ErrJournalClosed
	}
	return err
}
