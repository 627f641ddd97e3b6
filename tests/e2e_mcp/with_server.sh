#!/usr/bin/env bash
# Starts an MCP server on a loopback port of its own, runs a client against it, stops the server.
# Usage: with_server.sh SERVER_BIN [server args...] -- CLIENT [client args...]
# SERVER_BIN gets 127.0.0.1:0 as its last argument and must print "listening on [SCHEME://]ADDR:PORT"
# once ready (the real `woolly-server serve ... --bind` or tests/mcp/transport's
# mcp_http_test_server): the kernel's pick, which no other process can take in between. Every
# client argument "{url}" becomes http://127.0.0.1:PORT. The exit status is the client's; 77 (skip)
# when `npm ci` has not run here. The client runs with this folder's Node 22 first on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ -x "$here/node_modules/node/bin/node" ]] || { echo "run 'npm ci' in $here first" >&2; exit 77; }
export PATH="$here/node_modules/node/bin:$PATH"
server=()
while [[ $# -gt 0 && "$1" != "--" ]]; do server+=("$1"); shift; done
[[ $# -gt 1 ]] || { echo "usage: $0 SERVER_BIN [args...] -- CLIENT [args...]" >&2; exit 2; }
shift
out="$(mktemp -d)"
"${server[@]}" "127.0.0.1:0" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 300); do
  grep -q "listening on" "$out/server.log" && break
  kill -0 $pid 2>/dev/null || { echo "server exited:" >&2; cat "$out/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "listening on" "$out/server.log" || { echo "server never listened:" >&2; cat "$out/server.log" >&2; exit 1; }
port=$(grep -m1 -o 'listening on [^ ]*' "$out/server.log" | sed -E 's/.*:([0-9]+)$/\1/')
[[ "$port" =~ ^[0-9]+$ ]] || { echo "no port in the server's log:" >&2; cat "$out/server.log" >&2; exit 1; }
url="http://127.0.0.1:$port"
client=()
for a in "$@"; do client+=("${a//\{url\}/$url}"); done
status=0
"${client[@]}" || status=$?
if [[ $status -ne 0 ]]; then echo "--- server log ---" >&2; tail -n 50 "$out/server.log" >&2; fi
exit $status
