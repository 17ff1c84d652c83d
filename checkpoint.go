package cc112

import (
	"context"
	"crypto/sha256"
	"time"
)

// Checkpoint is the engine's whole state as of journal seq Seq, so that a
// start replays only the events after it. Data is the engine's encoding;
// Sum its SHA-256, checked before Data is trusted.
type Checkpoint struct {
	Seq  uint64
	At   time.Time // when it was taken (wall clock of the writer)
	Sum  [sha256.Size]byte
	Data []byte
}

// Valid reports whether Data is what was written (Sum matches).
func (c Checkpoint) Valid() bool { return sha256.Sum256(c.Data) == c.Sum }

// CheckpointStore keeps the newest checkpoints beside a journal (a file
// beside the bbolt journal, a table of PostgreSQL). Saving is atomic: a
// crash while saving leaves the previous checkpoints as they were.
type CheckpointStore interface {
	// SaveCheckpoint stores c durably and then forgets all but the newest
	// CheckpointsKept.
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
	// Checkpoints lists the stored checkpoints, newest (highest Seq)
	// first, as stored: the reader checks Valid.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
}

// CheckpointsKept is how many checkpoints a store keeps: the newest and
// the one before it, for when the newest turns out unreadable.
const CheckpointsKept = 2
