// The official TypeScript SDK against a Woolly MCP endpoint: Streamable HTTP and WebSocket
// clients each initialize, list tools and call one. Usage: node sdk_clients.mjs BASE_URL TOOL
// (BASE_URL like http://127.0.0.1:8080; TOOL a tool taking no arguments, e.g. test_simple_text).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";

const [base, tool] = process.argv.slice(2);
const wsBase = base.replace(/^http/, "ws");
let failed = 0;

async function check(name, transport) {
  const client = new Client({ name: "woolly-e2e", version: "1.0.0" });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    if (!tools.some((t) => t.name === tool)) throw new Error(`${tool} not listed`);
    const result = await client.callTool({ name: tool, arguments: {} });
    if (result.isError || !result.content?.length) throw new Error(`bad result ${JSON.stringify(result)}`);
    console.log(`ok   ${name}: ${tools.length} tools, ${tool} answered`);
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
