#!/usr/bin/env bash
# Runs the official MCP conformance suite (server mode, active scenarios) against the Streamable
# HTTP endpoint /mcp of a server started by with_server.sh (the real woolly-server with the test
# fixtures enabled, or mcp_http_test_server). Fails when any check fails.
# Usage: run_conformance.sh [--key KEY] SERVER_BIN [server args...]
# KEY travels as `?token=` on the endpoint URL (the suite sends no credentials of its own).
# CONFORMANCE_ARGS: extra suite flags. Needs `npm ci` in this folder first (it brings Node 22).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
query=""
if [[ "${1:-}" == "--key" ]]; then query="?token=$2"; shift 2; fi
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
# shellcheck disable=SC2086  # CONFORMANCE_ARGS is a list of flags
"$here/with_server.sh" "$@" -- node "$here/node_modules/.bin/conformance" server \
  --url "{url}/mcp$query" -o "$results" ${CONFORMANCE_ARGS:-}
