#!/usr/bin/env bash
# Live feed benchmark (docs/benchmarks.md, "Live feed"): dispatchd and, when
# it can be built, Centrifugo v5.4.9 side by side on loopback, one server at
# a time, each started fresh and stopped after its run.
#
#   scripts/bench-live.sh                 the scenarios of the report
#   scripts/bench-live.sh -clients 500 -rate 100 -duration 10s   one run of each
#
# CENTRIFUGO=/path/to/centrifugo skips building it; DISPATCHD_PORT and
# CENTRIFUGO_PORT move the servers off 18080 and 18000.
set -euo pipefail
cd "$(dirname "$0")/.."
dport=${DISPATCHD_PORT:-18080}
cport=${CENTRIFUGO_PORT:-18000}
work=$(mktemp -d /tmp/bench-live.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/dispatchd" ./cmd/dispatchd
go build -o "$work/liveload" ./cmd/liveload

centrifugo=${CENTRIFUGO:-}
if [ -z "$centrifugo" ]; then
	# `go install …@v5.4.9` needs the proxy's version list, which is refused
	# here; downloading the exact version and building it works.
	if dir=$(cd "$work" && go mod download -json github.com/centrifugal/centrifugo/v5@v5.4.9 2>/dev/null | sed -n 's/.*"Dir": "\(.*\)".*/\1/p') && [ -n "$dir" ]; then
		cp -r "$dir" "$work/centrifugo-src" && chmod -R u+w "$work/centrifugo-src"
		(cd "$work/centrifugo-src" && go build -o "$work/centrifugo" .) && centrifugo="$work/centrifugo"
	fi
fi
[ -n "$centrifugo" ] || echo "Centrifugo could not be built: dispatchd alone" >&2

cat > "$work/centrifugo.json" <<JSON
{
  "token_hmac_secret_key": "bench-secret",
  "api_key": "bench",
  "allowed_origins": ["*"],
  "allow_anonymous_connect_without_token": true,
  "allow_subscribe_for_client": true,
  "allow_subscribe_for_anonymous": true,
  "address": "127.0.0.1",
  "port": "$cport",
  "log_level": "error"
}
JSON

wait_http() {
	# Any HTTP answer will do: the server listens.
	for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
	echo "server at $1 did not start" >&2
	cat "$work"/*.log >&2 2>/dev/null || true
	return 1
}

# run TARGET liveload-args...: a fresh server, one measurement, stopped.
run() {
	local target=$1
	shift
	local pid url
	if [ "$target" = dispatchd ]; then
		rm -rf "$work/state"
		"$work/dispatchd" -demo -sim=false -addr 127.0.0.1:$dport -state "$work/state" -log-level error &
		pid=$!
		url=http://127.0.0.1:$dport
		pids+=("$pid")
		wait_http "$url/readyz"
	else
		"$centrifugo" --config "$work/centrifugo.json" >"$work/centrifugo.log" 2>&1 &
		pid=$!
		url=http://127.0.0.1:$cport
		pids+=("$pid")
		wait_http "$url/"
	fi
	echo "\$ liveload -target $target $*"
	"$work/liveload" -target "$target" -url "$url" -pid "$pid" "$@" || true
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	echo
}

targets=(dispatchd)
[ -n "$centrifugo" ] && targets+=(centrifugo)

if [ $# -gt 0 ]; then
	for t in "${targets[@]}"; do run "$t" "$@"; done
	exit 0
fi

echo "## 500 clients x 100 updates/s x 10 s (three times each, alternating)"
for _ in 1 2 3; do
	for t in "${targets[@]}"; do run "$t" -clients 500 -rate 100 -duration 10s; done
done
echo "## memory per idle connection"
for t in "${targets[@]}"; do run "$t" -idle -clients 2000 -settle 5s; done
echo "## one stalled client among 500, 100 updates/s x 15 s"
for t in "${targets[@]}"; do run "$t" -clients 500 -rate 100 -duration 15s -stalled 1; done
echo "## larger loads, 5 s each"
for load in "500 150" "500 200" "500 300" "500 400" "1000 100" "2000 100"; do
	set -- $load
	for t in "${targets[@]}"; do run "$t" -clients "$1" -rate "$2" -duration 5s; done
done
