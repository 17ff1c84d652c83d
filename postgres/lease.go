package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// leaseClass is the first key of the leader lease's advisory lock; the
// second is a hash of the schema, so that command centers (and tests) that
// share a database in different schemas have separate leases.
const leaseClass = 112112

// Lease is the leader lease of a hot standby pair: a session advisory lock
// held on a dedicated connection. PostgreSQL releases it the moment that
// connection ends, e.g. when the leader's process is killed, so the standby
// can take over; a leader that loses the connection must stop writing.
type Lease struct {
	db       *DB
	instance string
	addr     string
	conn     *pgx.Conn
	held     bool
}

// NewLease prepares the lease of instance, which answers at addr (the
// base URL other instances forward writes to).
func NewLease(db *DB, instance, addr string) *Lease {
	return &Lease{db: db, instance: instance, addr: addr}
}

// TryAcquire takes the lease if nobody holds it and records this instance
// in the leader table. It returns false while another instance holds it.
func (l *Lease) TryAcquire(ctx context.Context) (bool, error) {
	if l.held { // advisory locks nest: never take it twice
		return l.Check(ctx) == nil, nil
	}
	if l.conn == nil {
		conn, err := pgx.ConnectConfig(ctx, l.db.Pool.Config().ConnConfig.Copy())
		if err != nil {
			return false, fmt.Errorf("postgres: lease connection: %w", err)
		}
		l.conn = conn
	}
	var ok bool
	err := l.conn.QueryRow(ctx, "select pg_try_advisory_lock($1, hashtext(current_schema()))", leaseClass).Scan(&ok)
	if err != nil {
		l.drop()
		return false, fmt.Errorf("postgres: try leader lease: %w", err)
	}
	if !ok {
		return false, nil
	}
	_, err = l.conn.Exec(ctx, `insert into leader (id, instance, addr, since) values (1, $1, $2, now())
		on conflict (id) do update set instance = excluded.instance, addr = excluded.addr, since = excluded.since`,
		l.instance, l.addr)
	if err != nil {
		l.drop()
		return false, fmt.Errorf("postgres: record leader: %w", err)
	}
	l.held = true
	return true, nil
}

// Check reports whether the lease is still held: the connection holding the
// lock answers. A leader whose Check fails must stop taking commands.
func (l *Lease) Check(ctx context.Context) error {
	if l.conn == nil {
		return errors.New("postgres: leader lease not held")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := l.conn.Ping(ctx); err != nil {
		l.drop()
		return fmt.Errorf("postgres: leader lease lost: %w", err)
	}
	return nil
}

// Release gives the lease up (on shutdown) by closing its connection.
func (l *Lease) Release() { l.drop() }

func (l *Lease) drop() {
	if l.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = l.conn.Close(ctx)
		cancel()
		l.conn = nil
	}
	l.held = false
}

// Leader is the instance recorded as leader and its address ("" if none).
func Leader(ctx context.Context, db *DB) (instance, addr string, err error) {
	err = db.Pool.QueryRow(ctx, "select instance, addr from leader where id = 1").Scan(&instance, &addr)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", nil
	}
	return instance, addr, err
}

// PeerSecret is the machine secret the instances on this database share
// (made by the first one to ask): a standby proves with it that it
// forwarded a command, and which client sent it.
func PeerSecret(ctx context.Context, db *DB) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	if _, err := db.Pool.Exec(ctx, "insert into peer_secret (id, secret) values (1, $1) on conflict (id) do nothing",
		hex.EncodeToString(b)); err != nil {
		return "", fmt.Errorf("postgres: peer secret: %w", err)
	}
	var secret string
	if err := db.Pool.QueryRow(ctx, "select secret from peer_secret where id = 1").Scan(&secret); err != nil {
		return "", fmt.Errorf("postgres: peer secret: %w", err)
	}
	return secret, nil
}
