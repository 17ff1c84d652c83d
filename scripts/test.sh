#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs and starts what the
# tests need when missing, then go vet, gofmt, the Go tests with the race
# detector (integration and browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

ensure_test_deps
# A throw-away Dovecot for the e-mail intake's IMAP test and an SMTP server
# for the e-mail notices, both stopped on exit.
ensure_imap
ensure_smtp
trap 'doveadm -c "$DISPATCH_TEST_IMAP_CONF" stop 2>/dev/null || true; kill "$DISPATCH_TEST_SMTP_PID" 2>/dev/null || true' EXIT
# The console's npm packages: embedded into the server, and playwright-core
# for the browser tests.
./scripts/web.sh

pgpass=""
[ -n "${PGPASSWORD:-}" ] && pgpass=":$PGPASSWORD"
export DISPATCH_TEST_DATABASE_URL="${DISPATCH_TEST_DATABASE_URL:-postgres://postgres${pgpass}@127.0.0.1:5432/dispatch_test?sslmode=disable}"
export DISPATCH_TEST_REDIS_URL="${DISPATCH_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
echo "== go vet"
go vet ./...
echo "== go test -race"
# cmd/dispatchd alone takes 15–16 min on a quiet 2-core machine and over
# 20 under other load: the timeout is for a hung test, not a slow machine.
go test -race -count=1 -timeout 45m ./...
