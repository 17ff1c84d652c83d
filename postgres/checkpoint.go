package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"cc112"
)

var _ cc112.CheckpointStore = (*Journal)(nil)

// SaveCheckpoint stores c and forgets all but the newest
// cc112.CheckpointsKept, in one transaction: a crash leaves the older ones.
func (j *Journal) SaveCheckpoint(ctx context.Context, c cc112.Checkpoint) error {
	err := pgx.BeginFunc(ctx, j.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `insert into checkpoints (seq, taken_at, sum, data) values ($1, $2, $3, $4)
			on conflict (seq) do update set taken_at = excluded.taken_at, sum = excluded.sum, data = excluded.data`,
			int64(c.Seq), c.At, c.Sum[:], c.Data); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `delete from checkpoints where seq not in
			(select seq from checkpoints order by seq desc limit $1)`, cc112.CheckpointsKept)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: save checkpoint: %w", err)
	}
	return nil
}

// Checkpoints reads the stored checkpoints, newest first.
func (j *Journal) Checkpoints(ctx context.Context) ([]cc112.Checkpoint, error) {
	rows, err := j.pool.Query(ctx, `select seq, taken_at, sum, data from checkpoints order by seq desc`)
	if err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", err)
	}
	var out []cc112.Checkpoint
	for rows.Next() {
		var (
			c   cc112.Checkpoint
			seq int64
			sum []byte
		)
		if err := rows.Scan(&seq, &c.At, &sum, &c.Data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: checkpoints: %w", err)
		}
		c.Seq = uint64(seq)
		copy(c.Sum[:], sum) // a short sum stays short: not Valid
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: checkpoints: %w", err)
	}
	return out, nil
}
