// Package postgres is the production backend on PostgreSQL via pgx: the
// journal (events table, group-committed, with reporting projections in the
// same transaction), schema migrations, the leader lease of a hot standby
// pair and the breadcrumb store of unit tracks.
package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a connection pool on a migrated database.
type DB struct {
	Pool *pgxpool.Pool
	log  *slog.Logger
}

// Open connects to url (postgres://... ; a search_path parameter selects a
// schema) and applies the embedded migrations.
func Open(ctx context.Context, url string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: DATABASE_URL: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	db := &DB{Pool: pool, log: logger}
	if err := Migrate(ctx, pool, logger); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }
