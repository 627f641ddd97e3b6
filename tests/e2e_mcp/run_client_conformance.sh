#!/usr/bin/env bash
# Runs one scenario of the official MCP conformance suite in client mode against
# `woolly-server mcp client` (Woolly's own MCP client). The suite starts the scenario's server,
# runs the client command with the server URL appended, and fails on any failed check, warning,
# timeout or client error.
# Usage: run_client_conformance.sh WOOLLY_SERVER SCENARIO
# Needs `npm ci` in this folder first (it brings Node 22 as the `node` package).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ -x "$here/node_modules/node/bin/node" ]] || { echo "run 'npm ci' in $here first" >&2; exit 77; }
export PATH="$here/node_modules/node/bin:$PATH"
bin="$1"
scenario="$2"
# What the client does in each scenario: the suite only hands it the URL. The suite splits
# --command on spaces and runs it through a shell, so JSON is quoted for that shell.
case "$scenario" in
  initialize) extra="" ;;
  tools_call) extra="--call add_numbers --args '{\"a\":5,\"b\":3}'" ;;
  elicitation-sep1034-client-defaults)
    extra="--accept-elicitation --call test_client_elicitation_defaults" ;;
  sse-retry) extra="--call test_reconnection" ;;
  *) echo "no client command known for scenario $scenario" >&2; exit 2 ;;
esac
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node "$here/node_modules/.bin/conformance" client --scenario "$scenario" -o "$out" \
  --command "$bin mcp client $extra"
