package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"cc112"
)

// Checkpoints are files beside the journal, dir/checkpoint-<seq>.ckpt:
// an 8-byte big-endian seq, the time taken (Unix ns), the SHA-256 of the
// data, then the data. Each is written to a temporary file, fsynced and
// renamed into place, so a crash while writing leaves the older ones as
// they were and at most a temporary file, removed at the next save. They
// are not in journal.db so that writing one never holds up a commit.
const (
	ckptPrefix = "checkpoint-"
	ckptSuffix = ".ckpt"
	ckptTemp   = ".tmp"
	ckptHeader = 8 + 8 + 32
)

var _ cc112.CheckpointStore = (*Journal)(nil)

func (j *Journal) dir() string { return filepath.Dir(j.path) }

func ckptName(seq uint64) string { return fmt.Sprintf("%s%020d%s", ckptPrefix, seq, ckptSuffix) }

// SaveCheckpoint writes c durably, then removes all but the newest
// cc112.CheckpointsKept checkpoints.
func (j *Journal) SaveCheckpoint(_ context.Context, c cc112.Checkpoint) error {
	dir := j.dir()
	j.removeCheckpointTemps()
	tmp, err := os.CreateTemp(dir, ckptPrefix+"*"+ckptTemp)
	if err != nil {
		return fmt.Errorf("bolt: checkpoint: %w", err)
	}
	name := tmp.Name()
	defer os.Remove(name) // after the rename: nothing
	head := make([]byte, ckptHeader)
	binary.BigEndian.PutUint64(head[0:], c.Seq)
	binary.BigEndian.PutUint64(head[8:], uint64(c.At.UnixNano()))
	copy(head[16:], c.Sum[:])
	_, err = tmp.Write(head)
	if err == nil {
		_, err = tmp.Write(c.Data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, filepath.Join(dir, ckptName(c.Seq)))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("bolt: checkpoint: %w", err)
	}
	seqs, err := j.checkpointSeqs()
	if err != nil {
		return err
	}
	for _, seq := range seqs[min(len(seqs), cc112.CheckpointsKept):] {
		if err := os.Remove(filepath.Join(dir, ckptName(seq))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			j.log.Warn("bolt: could not remove an old checkpoint", "seq", seq, "err", err)
		}
	}
	return nil
}

// removeCheckpointTemps deletes what a crash while writing left. The
// state folder is locked, so no other process is writing one.
func (j *Journal) removeCheckpointTemps() {
	names, _ := filepath.Glob(filepath.Join(j.dir(), ckptPrefix+"*"+ckptTemp))
	for _, n := range names {
		if os.Remove(n) == nil {
			j.log.Info("bolt: removed a checkpoint left unfinished by a crash", "file", n)
		}
	}
}

// checkpointSeqs lists the seqs of the checkpoint files, newest first.
func (j *Journal) checkpointSeqs() ([]uint64, error) {
	names, err := filepath.Glob(filepath.Join(j.dir(), ckptPrefix+"*"+ckptSuffix))
	if err != nil {
		return nil, err
	}
	var seqs []uint64
	for _, n := range names {
		num := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), ckptPrefix), ckptSuffix)
		if seq, err := strconv.ParseUint(num, 10, 64); err == nil {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(a, b int) bool { return seqs[a] > seqs[b] })
	return seqs, nil
}

// Checkpoints reads the stored checkpoints, newest first. A file too
// short for its header comes back with a zero Sum: not Valid.
func (j *Journal) Checkpoints(_ context.Context) ([]cc112.Checkpoint, error) {
	seqs, err := j.checkpointSeqs()
	if err != nil {
		return nil, fmt.Errorf("bolt: checkpoints: %w", err)
	}
	out := make([]cc112.Checkpoint, 0, len(seqs))
	for _, seq := range seqs {
		b, err := os.ReadFile(filepath.Join(j.dir(), ckptName(seq)))
		if err != nil {
			return nil, fmt.Errorf("bolt: checkpoint: %w", err)
		}
		c := cc112.Checkpoint{Seq: seq}
		if len(b) >= ckptHeader && binary.BigEndian.Uint64(b) == seq {
			c.At = time.Unix(0, int64(binary.BigEndian.Uint64(b[8:]))).UTC()
			copy(c.Sum[:], b[16:ckptHeader])
			c.Data = b[ckptHeader:]
		}
		out = append(out, c)
	}
	return out, nil
}
