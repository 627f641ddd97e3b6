// The official TypeScript SDK against a Woolly MCP endpoint: the Streamable HTTP client (/mcp)
// and the WebSocket client transport (/api/v1/mcp/ws) each initialize, list tools and call every
// given tool, failing on a missing tool, an error or an empty result.
// Usage: node sdk_clients.mjs BASE_URL TOOL ARGS_JSON [TOOL ARGS_JSON ...]
// (BASE_URL like http://127.0.0.1:8080; e.g. tokenize_text '{"text":"Hello"}')
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";

const [base, ...rest] = process.argv.slice(2);
if (!base || rest.length === 0 || rest.length % 2) {
  console.error("usage: node sdk_clients.mjs BASE_URL TOOL ARGS_JSON [TOOL ARGS_JSON ...]");
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

await check("streamable-http", new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
await check("websocket", new WebSocketClientTransport(new URL(`${wsBase}/api/v1/mcp/ws`)));
process.exit(failed ? 1 : 0);
