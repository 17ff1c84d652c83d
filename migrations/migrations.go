// Package migrations holds the PostgreSQL schema as numbered SQL files
// (tern's format: 001_name.sql, an optional "---- create above / drop below
// ----" line), embedded in the binary. postgres.Migrate applies them.
package migrations

import "embed"

// FS holds the *.sql files at its root.
//
//go:embed *.sql
var FS embed.FS
