#!/usr/bin/env bash
# Runs the official MCP conformance suite (server mode, active scenarios) against a Streamable
# HTTP endpoint served by SERVER_BIN. SERVER_BIN is started with ADDR:PORT as its last argument and
# must print "listening on ..." on stdout when ready (tests/mcp/transport: mcp_http_test_server).
# Usage: run_conformance.sh SERVER_BIN [extra server args...]
# Needs `npm ci` in this folder first (it brings Node 22 as the `node` package).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ -x "$here/node_modules/node/bin/node" ]] || { echo "run 'npm ci' in $here first" >&2; exit 77; }
export PATH="$here/node_modules/node/bin:$PATH"
port=$(( 20000 + RANDOM % 20000 ))
out="$(mktemp -d)"
"$@" "127.0.0.1:$port" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$out/server.log" && break
  kill -0 $pid 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
node "$here/node_modules/.bin/conformance" server --url "http://127.0.0.1:$port/mcp" \
  -o "$out/results" ${CONFORMANCE_ARGS:-}
