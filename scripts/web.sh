#!/usr/bin/env bash
# Installs the console's npm packages (web/, from package-lock.json) and
# copies the files the console embeds into ui/static/vendor/. Cheap when
# nothing changed: npm ci runs only when node_modules is missing or older
# than the lock file, the copy only when its inputs are newer.
set -euo pipefail
cd "$(dirname "$0")/../web"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: $tool is not installed; the console's front-end packages need Node.js and npm (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
done

stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "== npm ci (web/)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

vendor=../ui/static/vendor/.stamp
if [ ! -f "$vendor" ] || [ "$stamp" -nt "$vendor" ] || [ build.mjs -nt "$vendor" ]; then
  node build.mjs
fi
