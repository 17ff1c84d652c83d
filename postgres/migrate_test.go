package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"cc112/internal/pgtest"
)

func TestMigrateTwiceInParallel(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(ctx, url, nil)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	db := openDB(t, url) // and once more, with nothing left to do
	v, err := SchemaVersion(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if v < 3 {
		t.Fatalf("schema version %d after migrating", v)
	}
}

func TestRefuseNewerSchema(t *testing.T) {
	url := pgtest.URL(t)
	db := openDB(t, url)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, "update schema_version set version = version + 1"); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	err = Migrate(ctx, pool, nil)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Migrate on a newer schema: %v, want ErrSchemaTooNew", err)
	}
	t.Log(err)
}
