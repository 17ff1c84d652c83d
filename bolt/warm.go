package bolt

import (
	"context"
	"os"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"
)

// A text search that finds little reads the signature blocks of the whole
// archive (archive_text_sigs, ~20 MB at ten years of a city; before them it
// read all of archive_text, ~30 MB). After a start their pages are not yet
// in bbolt's fresh mapping of the file, and the first such search paid for
// faulting them in while the scrub read too: 179–870 ms instead of ~20
// (docs/benchmarks.md, with archive_text). warmArchiveText reads the
// blocks once in the background right after open, newest first as a
// search does, a chunk of blocks per read transaction so that the writer's
// remapping never waits long for it.

// warmChunk is how many signature blocks (of up to sigBlockMax incidents,
// ~40 KB) one read transaction of the warming touches.
const warmChunk = 100

// warmed keeps the bytes the warming read from being optimised away.
var warmed atomic.Uint32

// warmArchiveText touches every page of the archive's signature blocks,
// chunk blocks per read transaction, and answers how many blocks it read.
func (j *Journal) warmArchiveText(ctx context.Context, chunk int) int {
	start := time.Now()
	page := os.Getpagesize()
	var (
		last  []byte // the key read last; nil: none yet
		n     int
		touch byte
	)
	for {
		if ctx.Err() != nil {
			return n
		}
		done := true
		err := j.db.View(func(tx *bbolt.Tx) error {
			b := tx.Bucket([]byte(archiveSigBucket))
			if b == nil {
				return nil
			}
			c := b.Cursor()
			var read []byte // valid in this transaction only
			k, v := seekBelow(c, last)
			for m := 0; k != nil; k, v = c.Prev() {
				if m == chunk {
					last, done = append(last[:0], read...), false
					return nil
				}
				for i := 0; i < len(v); i += page {
					touch ^= v[i]
				}
				if len(v) > 0 {
					touch ^= v[len(v)-1] // the last page, which the steps may pass over
				}
				read = k
				m++
				n++
			}
			return nil
		})
		if err != nil {
			if ctx.Err() == nil {
				j.log.Warn("bolt journal: reading the archive's text signatures ahead of searches stopped", "path", j.path, "err", err)
			}
			return n
		}
		if done {
			break
		}
	}
	warmed.Store(uint32(touch))
	if n > 0 {
		j.log.Info("bolt journal: archive text signatures read ahead of searches", "path", j.path, "blocks", n, "took", time.Since(start))
	}
	return n
}
