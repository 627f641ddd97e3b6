#!/usr/bin/env bash
# The MCP Inspector's CLI mode lists the tools of a server; fails unless every named tool is in
# its answer. Usage: inspector_tools.sh TOOL[,TOOL...] INSPECTOR_TARGET_ARGS...
#   stdio: inspector_tools.sh generate_text /path/woolly-server mcp stdio --set ...
#   HTTP:  inspector_tools.sh generate_text http://127.0.0.1:PORT/mcp --transport http
# Needs `npm ci` in this folder (the inspector needs Node 22, which that brings).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[[ -x "$here/node_modules/node/bin/node" ]] || { echo "run 'npm ci' in $here first" >&2; exit 77; }
export PATH="$here/node_modules/node/bin:$PATH"
want="$1"
shift
listing="$(node "$here/node_modules/.bin/mcp-inspector" --cli "$@" --method tools/list)"
WANT="$want" node -e '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    const names = JSON.parse(text).tools.map((t) => t.name);
    const missing = process.env.WANT.split(",").filter((n) => !names.includes(n));
    if (missing.length) {
      console.log(`FAIL inspector: ${missing.join(", ")} not in ${names.join(", ")}`);
      process.exit(1);
    }
    console.log(`ok   inspector: ${names.length} tools: ${names.join(", ")}`);
  });' <<<"$listing"
