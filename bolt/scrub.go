package bolt

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// The scrub reads the records Open did not (seqs 1..scrubTo, older than
// openCheckTail) in the background, a chunk per read transaction so that
// no long read holds up the writer's remapping of a growing file. A damaged
// or missing record is a disk fault long after its commit: it is logged as
// an error and kept in ScrubResult for the operator (restore the file from
// a backup); the center goes on with the events it has.

// scrubChunk is how many records one read transaction of the scrub checks.
const scrubChunk = 10_000

// ScrubState is what the background check of the journal's older records
// found so far.
type ScrubState struct {
	Done    bool   // every record up to To was read (or there was none)
	Checked uint64 // records read so far
	To      uint64 // the last seq the scrub reads
	Damage  error  // the first damaged or missing record found; nil: none
}

// startScrub starts the open's background work, stopped by Close: the
// archive texts' read-ahead (warm.go), then the scrub.
func (j *Journal) startScrub(to uint64) {
	ctx, cancel := context.WithCancel(context.Background())
	j.scrubStop = cancel
	j.scrubDone = make(chan struct{})
	j.scrub.Store(&ScrubState{To: to, Done: to == 0})
	go func() {
		defer close(j.scrubDone)
		j.warmArchiveText(ctx, warmChunk) // first: a search waits for it, the scrub does not
		if to > 0 {
			j.runScrub(ctx, to)
		}
	}()
}

// ScrubResult reports the background check of the older records.
func (j *Journal) ScrubResult() ScrubState {
	return *j.scrub.Load()
}

func (j *Journal) runScrub(ctx context.Context, to uint64) {
	start := time.Now()
	next := uint64(1)
	for next <= to {
		if ctx.Err() != nil {
			return
		}
		var damage error
		from, chunkStart := next, time.Now()
		err := j.db.View(func(tx *bbolt.Tx) error {
			var key [8]byte
			binary.BigEndian.PutUint64(key[:], next)
			c := tx.Bucket([]byte(bucketName)).Cursor()
			k, v := c.Seek(key[:])
			if next == 1 {
				k, v = c.First() // a stray key before seq 1 is damage too
			}
			for n := 0; n < scrubChunk && next <= to; n++ {
				if k == nil {
					damage = fmt.Errorf("seq %d is missing: the journal's records end before it", next)
					return nil
				}
				seq, err := checkRecord(k, v)
				if err != nil {
					damage = fmt.Errorf("record at key %x (seq %d expected) is corrupt: %w", k, next, err)
					return nil
				}
				if seq != next {
					damage = fmt.Errorf("seq %d is missing: the next record is seq %d", next, seq)
					return nil
				}
				next++
				k, v = c.Next()
			}
			return nil
		})
		if err != nil {
			if ctx.Err() == nil {
				j.log.Error("bolt journal: the check of older records stopped", "path", j.path, "at_seq", next, "err", err)
			}
			return
		}
		st := &ScrubState{To: to, Checked: next - 1, Damage: damage, Done: damage != nil || next > to}
		j.scrub.Store(st)
		if damage == nil && next <= to {
			// Half a core at most: the scrub is not urgent, the first
			// requests after a start are.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Since(chunkStart)):
			}
		}
		if damage != nil {
			j.log.Error("bolt journal: an older record is damaged; the center goes on with the newer events, but a full replay or a standby copy of this file would fail: restore it from a backup",
				"path", j.path, "err", damage, "checked_from_seq", from)
			return
		}
	}
	j.log.Info("bolt journal: older records checked", "path", j.path, "records", to, "took", time.Since(start))
}
