package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"cc112"
	"cc112/kpi"
)

// The archive of incidents the engine let go (incident.archived), kept in
// the transaction that stores the event: "archive" maps a key in the
// history's order (8-byte big-endian received_at nanoseconds, sign bit
// flipped, then the id) to the incident's JSON; "archive_ids" maps an id to
// that key; "archive_text" maps the same key to the incident's searchable
// text (see textRecord), so that a text search reads that and decodes only
// the documents it finds; "archive_metrics" maps it to the incident's
// metrics record (kpi.AppendRecord), so that a report over a window is a
// cursor walk that decodes no document. Newest-first paging is a cursor
// walk backwards.
const (
	archiveBucket        = "archive"
	archiveIDBucket      = "archive_ids"
	archiveTextBucket    = "archive_text"
	archiveMetricsBucket = "archive_metrics"
)

// archiveDerived are the buckets that hold, under each archive key, what
// is derived from its document.
var archiveDerived = []struct {
	bucket string
	derive func(*cc112.Incident) []byte
}{
	{archiveTextBucket, textRecord},
	{archiveMetricsBucket, kpi.ArchiveRecord},
}

// textDerived is archiveDerived's index of the text record, whose
// signatures archive_text_sigs packs (textsigs.go).
const textDerived = 0

var (
	_ cc112.IncidentArchive = (*Journal)(nil)
	_ kpi.Archive           = (*Journal)(nil)
)

// archiveOp is what one event of a batch does to the archive: put doc
// (and what derives from it, in archiveDerived's order) under id, or drop
// id (doc nil).
type archiveOp struct {
	id      string
	key     []byte
	doc     []byte
	derived [][]byte
	// externalID is an imported incident's (pastarchive.go).
	externalID string
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
		inc := new(cc112.Incident)
		if err := json.Unmarshal(p.Incident, inc); err != nil || inc.ID == "" {
			return nil, fmt.Errorf("event %d (%s): the incident does not decode: %v", ev.Seq, ev.Type, err)
		}
		op := archiveOp{id: inc.ID, externalID: importedExternalID(inc)}
		if ev.Type == cc112.EvIncidentArchived {
			op.key, op.doc = archiveKey(inc.ReceivedAt, inc.ID), p.Incident
			for _, d := range archiveDerived {
				op.derived = append(op.derived, d.derive(inc))
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func archiveKey(at time.Time, id string) []byte {
	return append(appendTime(make([]byte, 0, 8+len(id)), at), id...)
}

// appendTime appends t's 8 bytes that sort as the instants do (the sign
// bit flipped: times before 1970 first).
func appendTime(b []byte, t time.Time) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(t.UnixNano())^1<<63)
}

// applyArchive writes the batch's archive operations in its transaction.
func applyArchive(tx *bbolt.Tx, ops []archiveOp) error {
	if len(ops) == 0 {
		return nil
	}
	if err := applyImportIndex(tx, ops); err != nil {
		return err
	}
	docs, err := tx.CreateBucketIfNotExists([]byte(archiveBucket))
	if err != nil {
		return err
	}
	ids, err := tx.CreateBucketIfNotExists([]byte(archiveIDBucket))
	if err != nil {
		return err
	}
	derived := make([]*bbolt.Bucket, len(archiveDerived))
	for k, d := range archiveDerived {
		if derived[k], err = tx.CreateBucketIfNotExists([]byte(d.bucket)); err != nil {
			return err
		}
	}
	sigs, err := newSigWriter(tx)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if old := ids.Get([]byte(op.id)); old != nil {
			old = bytes.Clone(old)
			if err := docs.Delete(old); err != nil {
				return err
			}
			if err := sigs.drop(old); err != nil {
				return err
			}
			for _, b := range derived {
				if err := b.Delete(old); err != nil {
					return err
				}
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
		for k, b := range derived {
			if err := b.Put(op.key, op.derived[k]); err != nil {
				return err
			}
		}
		if err := ids.Put([]byte(op.id), op.key); err != nil {
			return err
		}
		recSigs, err := recordSigs(op.derived[textDerived])
		if err != nil {
			return err
		}
		if err := sigs.put(op.key, recSigs); err != nil {
			return err
		}
	}
	return sigs.flush()
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
			inc, err := j.decodeArchived(key, doc)
			if err != nil {
				return err
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
		k, v := seekBefore(c, before)
		for n := 0; k != nil; k, v = c.Prev() {
			if n++; n%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			inc, err := j.decodeArchived(k, v)
			if err != nil {
				return err
			}
			if !fn(inc) {
				return nil
			}
		}
		return nil
	})
}

// EachArchivedText walks the archive's texts newest first from before and
// hands fn the documents whose text holds q.Text in a part q allows; see
// cc112.ArchiveTextSearch. It reads the packed signatures
// (archive_text_sigs), the text records only of the incidents whose
// signatures may hold q, and decodes only the documents found.
func (j *Journal) EachArchivedText(ctx context.Context, before *cc112.HistoryKey, q cc112.ArchiveText, fn func(*cc112.Incident) bool) error {
	text, qsig := []byte(q.Text), make([]byte, sigBytes)
	pairSig(qsig, q.Text)
	public, internal := sigTerms(qsig, 0), sigTerms(qsig, sigBytes/8)
	var stop []byte // the first key below From
	if !q.From.IsZero() {
		stop = archiveKey(q.From, "")
	}
	var beforeKey []byte
	if before != nil {
		beforeKey = archiveKey(before.ReceivedAt, before.ID)
	}
	return j.view(func(tx *bbolt.Tx) error {
		docs, texts := tx.Bucket([]byte(archiveBucket)), tx.Bucket([]byte(archiveTextBucket))
		blocks := tx.Bucket([]byte(archiveSigBucket))
		if docs == nil || texts == nil || blocks == nil {
			return nil
		}
		c := blocks.Cursor()
		for bk, bv := seekBelow(c, beforeKey); bk != nil; bk, bv = c.Prev() {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			blk, err := viewSigBlock(bv)
			if err != nil {
				return fmt.Errorf("%w: %s: archive signature block %x: %w", ErrCorrupt, j.path, bk, err)
			}
			top := blk.n
			if beforeKey != nil {
				if top, err = blk.below(beforeKey); err != nil {
					return fmt.Errorf("%w: %s: archive signature block %x: %w", ErrCorrupt, j.path, bk, err)
				}
			}
			for i := top - 1; i >= 0; i-- {
				if !blk.holds(i, public) && !(q.Internal && blk.holds(i, internal)) {
					continue
				}
				k, err := blk.key(i)
				if err != nil {
					return fmt.Errorf("%w: %s: archive signature block %x: %w", ErrCorrupt, j.path, bk, err)
				}
				if stop != nil && bytes.Compare(k, stop) < 0 {
					return nil
				}
				more, err := j.textMatch(docs, texts, k, text, qsig, q, fn)
				if err != nil || !more {
					return err
				}
			}
			if stop != nil && bytes.Compare(bk, stop) < 0 {
				return nil // the older blocks are all below From
			}
		}
		return nil
	})
}

// textMatch hands fn the document at k if its text record holds text in
// a part q allows, and answers whether the walk goes on.
func (j *Journal) textMatch(docs, texts *bbolt.Bucket, k, text, qsig []byte, q cc112.ArchiveText, fn func(*cc112.Incident) bool) (bool, error) {
	rec := texts.Get(k)
	if rec == nil {
		return false, fmt.Errorf("%w: %s: archive signature %x has no text record", ErrCorrupt, j.path, k)
	}
	public, phone, internal, err := textHit(rec, text, qsig, q.Internal)
	if err != nil {
		return false, fmt.Errorf("%w: %s: archive text %x: %w", ErrCorrupt, j.path, k, err)
	}
	if !public && !(phone && q.Phone) && !(internal && q.Internal) {
		return true, nil
	}
	doc := docs.Get(k)
	if doc == nil {
		return false, fmt.Errorf("%w: %s: archive text %x has no document", ErrCorrupt, j.path, k)
	}
	inc, err := j.decodeArchived(k, doc)
	if err != nil {
		return false, err
	}
	return fn(inc), nil
}

// seekBefore places c on the last key below before's (the last key when
// nil) and answers that key and value.
func seekBefore(c *bbolt.Cursor, before *cc112.HistoryKey) ([]byte, []byte) {
	if before == nil {
		return c.Last()
	}
	return seekBelow(c, archiveKey(before.ReceivedAt, before.ID))
}

// seekBelow places c on the last key below key (the last key when nil),
// whether or not key is still there.
func seekBelow(c *bbolt.Cursor, key []byte) ([]byte, []byte) {
	if key == nil {
		return c.Last()
	}
	if k, _ := c.Seek(key); k == nil {
		return c.Last()
	}
	return c.Prev() // Seek lands at or after the key: the walk starts below it
}

func (j *Journal) decodeArchived(k, v []byte) (*cc112.Incident, error) {
	inc := new(cc112.Incident)
	if err := json.Unmarshal(v, inc); err != nil {
		return nil, fmt.Errorf("%w: %s: archive document %x: %w", ErrCorrupt, j.path, k, err)
	}
	return inc, nil
}

// textRecord is an incident's cc112.SearchText as the archive keeps it:
// the signatures (see pairSig) of what a viewer without internal notes may
// match (public and phone) and of the internal notes, the lengths of the
// public part (with the NUL that ends it) and of the phone as uvarints,
// then public, NUL, phone and internal, as the engine's index lays them
// out.
func textRecord(inc *cc112.Incident) []byte {
	public, phone, internal := cc112.SearchText(inc)
	text := public + "\x00" + phone + internal
	r := make([]byte, 2*sigBytes, 2*sigBytes+2*binary.MaxVarintLen32+len(text))
	pairSig(r[:sigBytes], text[:len(text)-len(internal)])
	pairSig(r[sigBytes:], internal)
	r = binary.AppendUvarint(r, uint64(len(public)+1))
	r = binary.AppendUvarint(r, uint64(len(phone)))
	return append(r, text...)
}

// sigBytes is the size of a text's signature: 512 bits, of which a text of
// a few hundred characters sets about a third, so that a query's pairs all
// set by chance in a text that does not hold it are rare (a word of seven
// letters: six pairs, about 0.1%).
const sigBytes = 64

// pairSig sets in sig a bit for each pair of adjacent bytes of s: a text
// holds a query only if its signature has every bit of the query's, which
// is checked on one cache line before the text is read.
func pairSig(sig []byte, s string) {
	for k := 1; k < len(s); k++ {
		h := (uint32(s[k-1])<<8 | uint32(s[k])) * 0x9e3779b1 >> 23 // 9 bits: 0–511
		sig[h/8] |= 1 << (h % 8)
	}
}

func hasSig(sig, q []byte) bool {
	for k, b := range q {
		if sig[k]&b != b {
			return false
		}
	}
	return true
}

// textHit says in which part a text record first holds q (qsig its
// pairSig), reading the internal notes only when internal: a viewer who
// may see a later part sees the earlier ones, so the first is the one that
// decides.
func textHit(rec, q, qsig []byte, internal bool) (inPublic, inPhone, inInternal bool, err error) {
	if len(rec) < 2*sigBytes {
		return false, false, false, errors.New("short record")
	}
	if !hasSig(rec[:sigBytes], qsig) && !(internal && hasSig(rec[sigBytes:2*sigBytes], qsig)) {
		return false, false, false, nil
	}
	rec = rec[2*sigBytes:]
	mid, n := binary.Uvarint(rec)
	if n <= 0 {
		return false, false, false, errors.New("bad header")
	}
	rec = rec[n:]
	phoneLen, n := binary.Uvarint(rec)
	if n <= 0 || mid+phoneLen > uint64(len(rec)-n) {
		return false, false, false, errors.New("bad header")
	}
	rec, priv := rec[n:], int(mid+phoneLen)
	if !internal {
		rec = rec[:priv]
	}
	at := bytes.Index(rec, q)
	if at < 0 {
		return false, false, false, nil
	}
	return at < int(mid), at >= int(mid) && at < priv, at >= priv, nil
}

// fillArchive writes what derives from every archived document into the
// buckets the archive lacks, at open, in one pass: an archive written by
// an older version (before archive_text, archive_metrics, archive_imports
// or archive_text_sigs, which is built from archive_text without decoding
// the documents).
func (j *Journal) fillArchive() error {
	var missing []string
	if err := j.db.View(func(tx *bbolt.Tx) error {
		missing = j.missingDerived(tx)
		return nil
	}); err != nil || len(missing) == 0 {
		return err // most opens: no write transaction
	}
	n := 0
	err := j.db.Update(func(tx *bbolt.Tx) error {
		missing = j.missingDerived(tx)
		if len(missing) == 0 {
			return nil
		}
		fill := make(map[int]*bbolt.Bucket)
		for k, d := range archiveDerived {
			if tx.Bucket([]byte(d.bucket)) == nil {
				b, err := tx.CreateBucket([]byte(d.bucket))
				if err != nil {
					return err
				}
				fill[k] = b
			}
		}
		var imports *bbolt.Bucket // keyed by external id, not by archive key
		if tx.Bucket([]byte(importBucket)) == nil {
			var err error
			if imports, err = tx.CreateBucket([]byte(importBucket)); err != nil {
				return err
			}
		}
		if len(fill) > 0 || imports != nil {
			if err := j.fillFromDocuments(tx, fill, imports, &n); err != nil {
				return err
			}
		}
		if tx.Bucket([]byte(archiveSigBucket)) == nil {
			m, err := fillSigs(tx)
			n = max(n, m)
			return err
		}
		return nil
	})
	if err == nil && n > 0 {
		j.log.Info("bolt journal: filled the archive's indexes of an older version", "buckets", missing, "incidents", n)
	}
	return err
}

// fillFromDocuments decodes every archived document to fill the buckets
// of fill (by archiveDerived's index) and imports when not nil, counting
// the documents in n.
func (j *Journal) fillFromDocuments(tx *bbolt.Tx, fill map[int]*bbolt.Bucket, imports *bbolt.Bucket, n *int) error {
	return tx.Bucket([]byte(archiveBucket)).ForEach(func(key, v []byte) error {
		inc, err := j.decodeArchived(key, v)
		if err != nil {
			return err
		}
		*n++
		for k, b := range fill {
			if err := b.Put(key, archiveDerived[k].derive(inc)); err != nil {
				return err
			}
		}
		if ext := importedExternalID(inc); imports != nil && ext != "" {
			return imports.Put([]byte(ext), []byte(inc.ID))
		}
		return nil
	})
}

// missingDerived names the buckets derived from the documents that an
// archive lacks.
func (j *Journal) missingDerived(tx *bbolt.Tx) []string {
	if tx.Bucket([]byte(archiveBucket)) == nil {
		return nil
	}
	var out []string
	for _, d := range archiveDerived {
		if tx.Bucket([]byte(d.bucket)) == nil {
			out = append(out, d.bucket)
		}
	}
	if tx.Bucket([]byte(archiveSigBucket)) == nil {
		out = append(out, archiveSigBucket)
	}
	if tx.Bucket([]byte(importBucket)) == nil {
		out = append(out, importBucket)
	}
	return out
}

// EachArchivedRecord walks the metrics records of the incidents received
// in [from, to), oldest first (the cursor's order); see kpi.Archive. No
// document is read.
func (j *Journal) EachArchivedRecord(ctx context.Context, from, to time.Time, fn func(rec []byte) bool) error {
	return j.ArchivedRecordsAfter(ctx, from, to, nil, math.MaxInt, fn)
}

// ArchivedRecordsAfter walks archive_metrics from the key past after (or
// from), in one read transaction; see kpi.Archive.
func (j *Journal) ArchivedRecordsAfter(ctx context.Context, from, to time.Time, after *cc112.HistoryKey, limit int, fn func(rec []byte) bool) error {
	var start, past, stop []byte
	if !from.IsZero() {
		start = archiveKey(from, "")
	}
	if after != nil {
		past = archiveKey(after.ReceivedAt, after.ID)
	}
	if !to.IsZero() {
		stop = archiveKey(to, "")
	}
	return j.view(func(tx *bbolt.Tx) error {
		recs := tx.Bucket([]byte(archiveMetricsBucket))
		if recs == nil {
			return nil
		}
		c := recs.Cursor()
		var k, v []byte
		switch {
		case past != nil && bytes.Compare(past, start) >= 0:
			if k, v = c.Seek(past); bytes.Equal(k, past) {
				k, v = c.Next()
			}
		case start != nil:
			k, v = c.Seek(start)
		default:
			k, v = c.First()
		}
		for n := 0; k != nil && n < limit && (stop == nil || bytes.Compare(k, stop) < 0); k, v = c.Next() {
			if n++; n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if !fn(v) {
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
