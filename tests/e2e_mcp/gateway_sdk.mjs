// The official SDK's Streamable HTTP client against woolly-server's /mcp while Woolly's MCP host
// is connected to server-everything (stdio) as "everything": the server's tools, prompts and
// resources are re-exported through Woolly's gateway and work from the SDK. Fails on a missing
// item, an error or an empty result.
// Usage: node gateway_sdk.mjs BASE_URL KEY
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error("usage: node gateway_sdk.mjs BASE_URL KEY");
  process.exit(2);
}
const client = new Client({ name: "woolly-e2e-gateway", version: "1.0.0" });
const check = (ok, what) => {
  if (!ok) throw new Error(what);
  console.log(`ok   ${what}`);
};
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  }));
  const { tools } = await client.listTools();
  check(tools.some((t) => t.name === "everything__echo"), "everything__echo is listed");
  const echo = await client.callTool({ name: "everything__echo", arguments: { message: "baa" } });
  check(!echo.isError && echo.content?.[0]?.text?.includes("baa"), "everything__echo answers");

  const { prompts } = await client.listPrompts();
  check(prompts.some((p) => p.name === "everything__simple-prompt"), "everything__simple-prompt is listed");
  const prompt = await client.getPrompt({ name: "everything__simple-prompt", arguments: {} });
  check(prompt.messages?.length > 0 && prompt.messages[0].content?.type === "text",
        "everything__simple-prompt renders");

  const { resources } = await client.listResources();
  const doc = resources.find((r) => r.name.startsWith("everything__") && r.uri.startsWith("demo://"));
  check(doc !== undefined, "a demo:// resource of everything is listed");
  const read = await client.readResource({ uri: doc.uri });
  check(read.contents?.length > 0 && read.contents[0].uri === doc.uri, `${doc.uri} reads`);
} catch (e) {
  console.log(`FAIL ${e.message}`);
  process.exitCode = 1;
} finally {
  await client.close().catch(() => {});
}
