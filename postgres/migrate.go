package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"cc112/migrations"
)

// versionTable is tern's version table, in the schema of the search_path.
const versionTable = "schema_version"

// ErrSchemaTooNew is returned when the database was migrated by a newer
// dispatchd than this one: running on it could misread or damage data.
var ErrSchemaTooNew = errors.New("database schema is newer than this dispatchd")

// Migrate applies the embedded migrations. tern holds an advisory lock while
// it migrates, so instances starting together take turns; the second finds
// nothing left to do.
func Migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	m, err := migrate.NewMigrator(ctx, conn.Conn(), versionTable)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return fmt.Errorf("postgres: load migrations: %w", err)
	}
	known := int32(len(m.Migrations))
	current, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return fmt.Errorf("postgres: read schema version: %w", err)
	}
	if current > known {
		return tooNew(current, known)
	}
	m.OnStart = func(seq int32, name, direction, _ string) {
		logger.Info("applying migration", "version", seq, "name", name, "direction", direction)
	}
	if err := m.Migrate(ctx); err != nil {
		var bad migrate.BadVersionError
		if errors.As(err, &bad) {
			// Another instance migrated further between our check and the lock.
			if v, verr := m.GetCurrentVersion(ctx); verr == nil && v > known {
				return tooNew(v, known)
			}
		}
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

func tooNew(current, known int32) error {
	return fmt.Errorf("postgres: %w: the database is at schema version %d, this binary knows versions up to %d; run the newer dispatchd (or restore a matching backup) instead of downgrading",
		ErrSchemaTooNew, current, known)
}

// SchemaVersion reads the applied schema version (0 before any migration).
func SchemaVersion(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (int32, error) {
	var v int32
	err := q.QueryRow(ctx, "select version from "+versionTable).Scan(&v)
	return v, err
}
