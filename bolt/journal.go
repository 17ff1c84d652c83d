// Package bolt is the embedded default journal: events in one bbolt file,
// dir/journal.db, bucket "events", key = 8-byte big-endian seq, value = a
// self-checking record (see record.go). Appends are group-committed: each
// batch is one bbolt transaction, that is one fsync of data and one of meta.
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"cc112"
)

const (
	fileName    = "journal.db"
	tmpPrefix   = fileName + ".new-"
	bucketName  = "events"
	lockTimeout = time.Second
	// replayChunk is how many events Replay reads per read transaction: fn
	// runs outside the transaction, so a slow fn never holds one open (a long
	// read transaction blocks a writer that must grow the mmap).
	replayChunk = 4096
	// maxBadLogged bounds the per-record warnings for a dropped tail.
	maxBadLogged = 100
)

var (
	// ErrInUse is returned by Open when another process holds the journal.
	ErrInUse = errors.New("state folder is in use by another dispatchd")
	// ErrCorrupt is returned when the journal cannot be used without losing
	// events that may have been acknowledged.
	ErrCorrupt = errors.New("journal file is corrupt")
	// ErrSeqGap is returned for a batch whose seqs do not continue the
	// journal (an engine bug); nothing of that batch is written.
	ErrSeqGap = errors.New("event seqs do not continue the journal")

	errLocked = errors.New("lock held by another process")
)

// Journal is the bbolt-backed cc112.Journal.
type Journal struct {
	path  string
	log   *slog.Logger
	db    *bbolt.DB
	gc    *cc112.GroupCommitter
	chunk int // events per Replay read transaction; tests shrink it

	last      atomic.Uint64 // seq of the last committed event
	observer  atomic.Pointer[func(events int, took time.Duration)]
	failed    atomic.Pointer[error] // first failed flush: no more writes
	closed    atomic.Bool
	closeOnce sync.Once

	// The background check of the records Open did not read (scrub.go).
	scrub     atomic.Pointer[ScrubState]
	scrubStop context.CancelFunc
	scrubDone chan struct{}
}

var _ cc112.Journal = (*Journal)(nil)

// Open opens (creating if needed) the journal in dir. A torn last commit is
// dropped with a warning; see repairMetas and verify for what is repaired.
func Open(dir string, logger *slog.Logger) (*Journal, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("bolt: create state folder: %w", err)
	}
	path := filepath.Join(dir, fileName)
	if err := createIfMissing(dir, path); err != nil {
		return nil, fmt.Errorf("bolt: create %s: %w", path, err)
	}

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}
	if err := lockFile(f, lockTimeout); err != nil {
		_ = f.Close()
		if errors.Is(err, errLocked) {
			return nil, inUseError(dir)
		}
		return nil, fmt.Errorf("bolt: %w", err)
	}
	removeStaleTemps(dir, logger)

	recovered, err := repairMetas(f, path, logger)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	db, err := openBolt(f, path)
	if err != nil {
		_ = f.Close() // bbolt closed it already on most paths; a second close is harmless
		switch {
		case errors.Is(err, ErrCorrupt):
			return nil, err
		case errors.Is(err, berrors.ErrTimeout):
			return nil, inUseError(dir)
		case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
			return nil, corruptError(path, fmt.Errorf("bbolt cannot open it: %w", err))
		}
		return nil, fmt.Errorf("bolt: open %s: %w", path, err)
	}

	j := &Journal{path: path, log: logger, db: db, chunk: replayChunk}
	last, scrubTo, err := j.verify(recovered)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := j.fillArchive(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("bolt: %s: %w", path, err)
	}
	j.last.Store(last)
	j.gc = cc112.NewGroupCommitter(j.flush, 0)
	logger.Info("bolt journal opened", "path", path, "last_seq", last, "checked_from_seq", scrubTo+1)
	j.startScrub(scrubTo)
	return j, nil
}

func inUseError(dir string) error {
	return fmt.Errorf("bolt: %s: %w (could not lock %s within %s)", dir, ErrInUse, fileName, lockTimeout)
}

// corruptError explains why Open gives up. Open never starts with an empty
// journal in place of a non-empty one it cannot read, and never renames it
// aside by itself: either would silently lose acknowledged reports. An
// operator must restore the file from a backup (or move it aside knowingly).
func corruptError(path string, err error) error {
	return fmt.Errorf("bolt: %w: %s: %w; the file was left as it is: starting without it would lose acknowledged events, so restore it from a backup or move it aside deliberately",
		ErrCorrupt, path, err)
}

// openBolt opens the already locked file f with bbolt. bbolt gets f itself
// through OpenFile (its flock on the same open file is then a no-op); later
// opens (Tx.WriteTo) get a fresh handle as usual.
func openBolt(f *os.File, path string) (db *bbolt.DB, err error) {
	var handedOver atomic.Bool
	opts := &bbolt.Options{
		Timeout:      lockTimeout,
		FreelistType: bbolt.FreelistArrayType,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			if handedOver.CompareAndSwap(false, true) {
				return f, nil
			}
			return os.OpenFile(name, flag, mode)
		},
	}
	// bbolt panics on some corrupt pages (e.g. a garbage freelist); make a
	// fault on the mapping a panic too, and report both as an error.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, corruptError(path, fmt.Errorf("bbolt panicked opening it: %v", r))
		}
	}()
	return bbolt.Open(path, 0o600, opts)
}

// createIfMissing creates a complete, empty journal file atomically: it is
// built under a temporary name and hard-linked into place, so a crash during
// the very first start never leaves a half-initialised journal.db, and a
// journal created meanwhile by another process is never replaced.
func createIfMissing(dir, path string) error {
	if _, err := os.Lstat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Close(); err != nil {
		return err
	}
	db, err := bbolt.Open(name, 0o600, &bbolt.Options{Timeout: lockTimeout})
	if err != nil {
		return err
	}
	err = db.Update(func(tx *bbolt.Tx) error { // commit fsyncs the file
		_, err := tx.CreateBucket([]byte(bucketName))
		return err
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(name, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(dir)
}

// removeStaleTemps deletes temporary files left by a crash in createIfMissing.
// Young ones may belong to a process creating the journal right now.
func removeStaleTemps(dir string, log *slog.Logger) {
	names, _ := filepath.Glob(filepath.Join(dir, tmpPrefix+"*"))
	for _, n := range names {
		if st, err := os.Stat(n); err == nil && time.Since(st.ModTime()) > time.Minute {
			if os.Remove(n) == nil {
				log.Info("bolt journal: removed a temporary file left by an interrupted first start", "file", n)
			}
		}
	}
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced there; rename/link are durable
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// newBadRecord keeps what the log says of a record that failed checkRecord
// (the cursor's k and v are only valid inside the transaction).
func newBadRecord(k, v []byte, seq uint64, reason error) badRecord {
	return badRecord{key: bytes.Clone(k), seq: seq, reason: reason, size: len(v), head: bytes.Clone(v[:min(len(v), 64)])}
}

// openCheckTail is how many of the newest records Open reads itself
// (verify): twice the events between two checkpoints by default, so that a
// start's replay reads records Open has checked. A variable so that tests
// can make it small.
var openCheckTail = 200_000

// badRecord is a record found invalid by verify.
type badRecord struct {
	key    []byte
	seq    uint64
	reason error
	size   int
	head   []byte // first bytes of the value, for the log
}

// verify checks the journal at start-up and returns the last seq.
//
// The journal must be a chain of valid records with seqs 1..N. Anything after
// the longest such prefix is the tail. A tail made only of records that fail
// on their own (bad key, short, unknown version, CRC mismatch) is the
// remains of a torn write: it is deleted, each record logged. A tail that
// holds a valid record (a seq gap, or corruption followed by intact events)
// cannot come from a torn append, since flush never writes a gap and bbolt
// commits are atomic; those events may have been acknowledged, so Open
// refuses with ErrCorrupt instead of dropping them.
//
// Open reads only the newest openCheckTail records itself: a torn write can
// only be at the end, and reading ten years of records (1.7 GB at 10M
// events) would make every start grow with the years. The older records
// are checked by a scrub in the background (scrub); a damaged one is
// reported loudly there (and Replay refuses it if it is ever read), not by
// refusing to start a center whose checkpoint does not need it.
//
// After a meta recovery every record is read here, and bbolt's own
// consistency check (Tx.Check) runs too.
func (j *Journal) verify(recovered bool) (last uint64, scrubTo uint64, err error) {
	if recovered {
		last, err = j.verifyAll(true)
		return last, 0, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			last, scrubTo, err = 0, 0, corruptError(j.path, fmt.Errorf("reading it panicked: %v", r))
		}
	}()
	if err := j.ensureBucket(); err != nil {
		return 0, 0, err
	}
	var bad []badRecord
	err = j.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte(bucketName)).Cursor()
		k, v := c.Last()
		for ; k != nil; k, v = c.Prev() { // the tail that fails on its own
			seq, err := checkRecord(k, v)
			if err == nil {
				last = seq
				break
			}
			bad = append(bad, newBadRecord(k, v, seq, err))
		}
		slices.Reverse(bad) // logged and dropped in the journal's order
		want := last
		for n := 0; k != nil && n < openCheckTail; n++ {
			seq, err := checkRecord(k, v)
			switch {
			case err != nil && len(bad) > 0:
				return fmt.Errorf("record at key %x is corrupt (%v) and intact records follow it, the first bad one after them at key %x", k, err, bad[0].key)
			case err != nil:
				return fmt.Errorf("record at key %x is corrupt (%v) and intact records up to seq %d follow it", k, err, last)
			case seq != want:
				return fmt.Errorf("record %d is intact but does not follow record %d (expected %d)", want+1, seq, seq+1)
			}
			want--
			k, v = c.Prev()
		}
		if k == nil && want != 0 {
			return fmt.Errorf("the journal begins at seq %d, not 1", want+1)
		}
		if k != nil {
			scrubTo = want
		}
		return nil
	})
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = corruptError(j.path, err)
		}
		return 0, 0, err
	}
	if len(bad) > 0 {
		if err := j.dropTail(bad, last); err != nil {
			return 0, 0, err
		}
		j.log.Warn("bolt journal: recovered from a torn write; every event up to last_seq is intact",
			"path", j.path, "last_seq", last, "records_dropped", len(bad))
	}
	return last, scrubTo, nil
}

// verifyAll reads every record (after a meta recovery): see verify.
func (j *Journal) verifyAll(recovered bool) (last uint64, err error) {
	// Turn a fault on a bad mapping into a panic, and bbolt's panics on
	// corrupt pages into ErrCorrupt, instead of killing the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			last, err = 0, corruptError(j.path, fmt.Errorf("reading it panicked: %v", r))
		}
	}()

	if err := j.ensureBucket(); err != nil {
		return 0, err
	}

	var bad []badRecord
	var records int
	var scanErr error
	start := time.Now()
	err = j.db.View(func(tx *bbolt.Tx) error {
		if recovered {
			if err := checkTx(tx); err != nil {
				return err
			}
		}
		c := tx.Bucket([]byte(bucketName)).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			records++
			seq, err := checkRecord(k, v)
			if err == nil && len(bad) == 0 && seq == last+1 {
				last = seq
				continue
			}
			if err == nil {
				if len(bad) == 0 {
					scanErr = fmt.Errorf("record %d is intact but does not follow record %d (expected %d)", seq, last, last+1)
				} else {
					scanErr = fmt.Errorf("record %d is intact but follows %d corrupt record(s), the first at key %x (%v)",
						seq, len(bad), bad[0].key, bad[0].reason)
				}
				return nil
			}
			bad = append(bad, newBadRecord(k, v, seq, err))
		}
		return nil
	})
	if err == nil && scanErr != nil {
		err = corruptError(j.path, fmt.Errorf("after seq %d: %w", last, scanErr))
	}
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = corruptError(j.path, err)
		}
		return 0, err
	}

	if len(bad) > 0 {
		if err := j.dropTail(bad, last); err != nil {
			return 0, err
		}
	}
	if recovered || len(bad) > 0 {
		j.log.Warn("bolt journal: recovered from a torn write; every event up to last_seq is intact",
			"path", j.path, "last_seq", last, "records_dropped", len(bad), "records_checked", records, "took", time.Since(start))
	}
	return last, nil
}

// ensureBucket creates the events bucket if a valid file lacks it, which
// only happens when bbolt fell back to the commit before the bucket existed:
// no event was ever stored then. The common case costs a read, not a commit.
func (j *Journal) ensureBucket() error {
	var exists bool
	if err := j.db.View(func(tx *bbolt.Tx) error {
		exists = tx.Bucket([]byte(bucketName)) != nil
		return nil
	}); err != nil || exists {
		return err
	}
	err := j.db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket([]byte(bucketName))
		return err
	})
	if err != nil {
		return corruptError(j.path, fmt.Errorf("creating bucket %q: %w", bucketName, err))
	}
	j.log.Warn("bolt journal: the events bucket was missing and has been created", "path", j.path)
	return nil
}

// checkTx runs bbolt's page-level consistency check.
func checkTx(tx *bbolt.Tx) error {
	var errs []error
	n := 0
	for err := range tx.Check() { // drain it all: Check runs in a goroutine
		if n++; len(errs) < 10 {
			errs = append(errs, err)
		}
	}
	if n > 0 {
		return fmt.Errorf("%w: bbolt consistency check found %d problem(s): %w", ErrCorrupt, n, errors.Join(errs...))
	}
	return nil
}

func (j *Journal) dropTail(bad []badRecord, last uint64) error {
	for i, b := range bad {
		if i == maxBadLogged {
			j.log.Warn("bolt journal: more corrupt tail records dropped", "path", j.path, "count", len(bad)-i)
			break
		}
		j.log.Warn("bolt journal: dropping a corrupt record at the tail (torn write)",
			"path", j.path, "key", fmt.Sprintf("%x", b.key), "seq", b.seq, "after_seq", last,
			"reason", b.reason.Error(), "bytes", b.size, "head", fmt.Sprintf("%q", b.head))
	}
	err := j.db.Update(func(tx *bbolt.Tx) error {
		bk := tx.Bucket([]byte(bucketName))
		for _, b := range bad {
			if err := bk.Delete(b.key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("bolt: %s: dropping the corrupt tail: %w", j.path, err)
	}
	return nil
}

// Append queues events; see cc112.Journal. Events that cannot be stored
// faithfully (type over 255 bytes, time outside 1678..2262) fail their
// command with cc112.ErrUnstorable; the journal goes on.
func (j *Journal) Append(events []cc112.Event) <-chan error {
	return j.gc.Append(events)
}

// flush writes one batch in one bbolt transaction (one commit, fsynced). It
// runs only on the GroupCommitter's goroutine, the only writer of j.last.
func (j *Journal) flush(batch []cc112.Event) error {
	// Checked here, not in Append, so that the GroupCommitter can write the
	// other commands of the batch and keep the seqs consecutive.
	for i := range batch {
		if err := checkEvent(&batch[i]); err != nil {
			return fmt.Errorf("bolt: append: %w: %w", cc112.ErrUnstorable, err)
		}
	}
	ops, err := archiveOps(batch)
	if err != nil {
		return fmt.Errorf("bolt: append: %w: %w", cc112.ErrUnstorable, err)
	}
	shifts, err := shiftOps(batch)
	if err != nil {
		return fmt.Errorf("bolt: append: %w: %w", cc112.ErrUnstorable, err)
	}
	start := time.Now()
	err = j.write(batch, ops, shifts)
	if err != nil {
		j.failed.CompareAndSwap(nil, &err)
	} else if fn := j.observer.Load(); fn != nil {
		(*fn)(len(batch), time.Since(start))
	}
	return err
}

// ObserveCommits registers fn to be told of each committed batch: how many
// events and how long the transaction with its fsync took (for the
// Prometheus metrics). fn runs on the commit goroutine: it must be quick.
func (j *Journal) ObserveCommits(fn func(events int, took time.Duration)) {
	j.observer.Store(&fn)
}

func (j *Journal) write(batch []cc112.Event, ops []archiveOp, shifts []shiftOp) error {
	next := j.last.Load() + 1
	size := 0
	for i := range batch {
		if batch[i].Seq != next+uint64(i) {
			return fmt.Errorf("bolt: %w: event %d of the batch has seq %d, want %d (last stored %d); nothing of the batch was written",
				ErrSeqGap, i, batch[i].Seq, next+uint64(i), next-1)
		}
		size += 8 + recordSize(&batch[i])
	}
	// One buffer for the whole batch: bbolt keeps the value slices until commit.
	buf := make([]byte, size)
	err := j.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketName))
		if b == nil {
			return fmt.Errorf("%w: bucket %q is missing", ErrCorrupt, bucketName)
		}
		b.FillPercent = 1 // keys only ever grow: pack leaf pages full
		for i := range batch {
			key, rec := encodeRecord(buf, &batch[i])
			if err := b.Put(key, rec); err != nil {
				return err
			}
			buf = buf[len(key)+len(rec):]
		}
		if err := applyArchive(tx, ops); err != nil {
			return err
		}
		return applyShiftArchive(tx, shifts)
	})
	if err != nil {
		if errors.Is(err, berrors.ErrDatabaseNotOpen) {
			return cc112.ErrJournalClosed
		}
		return fmt.Errorf("bolt: commit seqs %d..%d: %w", next, next+uint64(len(batch))-1, err)
	}
	j.last.Store(next + uint64(len(batch)) - 1)
	return nil
}

// Replay calls fn for each event with after < Seq <= LastSeq() (as of the
// call), in order. Every record is validated (CRC, consecutive seqs); a bad
// one stops the replay with ErrCorrupt. Each ev.Data is the event's own copy
// (fn may keep it); ev.Type strings are shared between events of one type.
func (j *Journal) Replay(ctx context.Context, after uint64, fn func(cc112.Event) error) error {
	if j.closed.Load() {
		return cc112.ErrJournalClosed
	}
	end := j.last.Load()
	if after >= end {
		return nil
	}
	types := make(typeInterner)
	evs := make([]cc112.Event, 0, min(uint64(j.chunk), end-after))
	next := after + 1
	for next <= end {
		if err := ctx.Err(); err != nil {
			return err
		}
		evs = evs[:0]
		err := j.db.View(func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte(bucketName))
			if b == nil {
				return fmt.Errorf("%w: %s: bucket %q is missing", ErrCorrupt, j.path, bucketName)
			}
			var key [8]byte
			binary.BigEndian.PutUint64(key[:], next)
			c := b.Cursor()
			for k, v := c.Seek(key[:]); len(evs) < cap(evs) && next <= end; k, v = c.Next() {
				if k == nil {
					return fmt.Errorf("%w: %s: seq %d is missing: the journal ends before seq %d", ErrCorrupt, j.path, next, end)
				}
				seq, err := checkRecord(k, v)
				if err != nil {
					return fmt.Errorf("%w: %s: record %x: %w", ErrCorrupt, j.path, k, err)
				}
				if seq != next {
					return fmt.Errorf("%w: %s: seq %d is missing: the next record is seq %d", ErrCorrupt, j.path, next, seq)
				}
				evs = append(evs, decodeRecord(seq, v, types))
				next++
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, berrors.ErrDatabaseNotOpen) {
				return cc112.ErrJournalClosed
			}
			return fmt.Errorf("bolt: replay: %w", err)
		}
		for i := range evs {
			if err := fn(evs[i]); err != nil {
				return err
			}
			evs[i] = cc112.Event{} // let fn's choice decide what stays alive
		}
	}
	return nil
}

// LastSeq is the seq of the last committed event, 0 when empty.
func (j *Journal) LastSeq() uint64 { return j.last.Load() }

// Ping reports whether the journal can take writes: open, readable, and no
// earlier commit failed (after one, the GroupCommitter refuses all writes).
func (j *Journal) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if j.closed.Load() {
		return cc112.ErrJournalClosed
	}
	if p := j.failed.Load(); p != nil {
		return fmt.Errorf("bolt: journal stopped after a failed commit: %w", *p)
	}
	err := j.db.View(func(tx *bbolt.Tx) error {
		if tx.Bucket([]byte(bucketName)) == nil {
			return fmt.Errorf("bucket %q is missing", bucketName)
		}
		return nil
	})
	if errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return cc112.ErrJournalClosed
	}
	if err != nil {
		return fmt.Errorf("bolt: ping: %w", err)
	}
	return nil
}

// Close writes the appends queued so far, then closes the file. Later calls
// do nothing and return nil.
func (j *Journal) Close() error {
	var err error
	j.closeOnce.Do(func() {
		j.closed.Store(true)
		j.scrubStop()
		<-j.scrubDone // it reads the file bbolt is about to unmap
		j.gc.Close()
		if cerr := j.db.Close(); cerr != nil {
			err = fmt.Errorf("bolt: close %s: %w", j.path, cerr)
		}
	})
	return err
}
