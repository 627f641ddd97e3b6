// The official TypeScript SDK against a Woolly MCP endpoint: the Streamable HTTP client (/mcp)
// and the WebSocket client transport (/api/v1/mcp/ws) each initialize, list tools and call every
// given tool, failing on a missing tool, an error or an empty result.
// Usage: node sdk_clients.mjs BASE_URL [--key KEY] TOOL ARGS_JSON [TOOL ARGS_JSON ...]
// (BASE_URL like http://127.0.0.1:8080; e.g. tokenize_text '{"text":"Hello"}'). KEY is sent as
// `Authorization: Bearer` over HTTP and as `?token=` on the WebSocket URL (the SDK's WebSocket
// transport cannot set headers).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";

let [base, ...rest] = process.argv.slice(2);
let key = "";
if (rest[0] === "--key") [, key, ...rest] = rest;
if (!base || rest.length === 0 || rest.length % 2) {
  console.error("usage: node sdk_clients.mjs BASE_URL [--key KEY] TOOL ARGS_JSON [TOOL ARGS_JSON ...]");
  process.exit(2);
}
const calls = [];
for (let i = 0; i < rest.length; i += 2) calls.push({ name: rest[i], arguments: JSON.parse(rest[i + 1]) });
const wsBase = base.replace(/^http/, "ws");
let failed = 0;

async function check(name, transport) {
  const client = new Client({ name: "woolly-e2e", version: "1.0.0" });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    for (const call of calls) {
      if (!tools.some((t) => t.name === call.name)) throw new Error(`${call.name} not listed`);
      const result = await client.callTool(call);
      if (result.isError || !result.content?.length || result.content[0].type !== "text") {
        throw new Error(`${call.name}: bad result ${JSON.stringify(result)}`);
      }
      console.log(`ok   ${name}: ${call.name} -> ${result.content[0].text.slice(0, 60)}`);
    }
    console.log(`ok   ${name}: ${tools.length} tools listed`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  } finally {
    await client.close().catch(() => {});
  }
}

const headers = key ? { Authorization: `Bearer ${key}` } : {};
const wsUrl = new URL(`${wsBase}/api/v1/mcp/ws`);
if (key) wsUrl.searchParams.set("token", key);
await check("streamable-http",
            new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
await check("websocket", new WebSocketClientTransport(wsUrl));
process.exit(failed ? 1 : 0);
