// The official TypeScript SDK's stdio client against a Woolly MCP stdio server: lists tools and
// calls one. Usage: node sdk_stdio.mjs TOOL ARGS_JSON COMMAND [ARGS...]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [tool, argsJson, command, ...args] = process.argv.slice(2);
const client = new Client({ name: "woolly-e2e", version: "1.0.0" });
try {
  await client.connect(new StdioClientTransport({ command, args, stderr: "ignore" }));
  const { tools } = await client.listTools();
  if (!tools.some((t) => t.name === tool)) throw new Error(`${tool} not listed`);
  const result = await client.callTool({ name: tool, arguments: JSON.parse(argsJson) });
  if (result.isError || !result.content?.length) throw new Error(`bad result ${JSON.stringify(result)}`);
  console.log(`ok   stdio: ${tools.length} tools, ${tool} -> ${result.content[0].text}`);
  await client.close();
} catch (e) {
  console.log(`FAIL stdio: ${e.message}`);
  process.exit(1);
}
