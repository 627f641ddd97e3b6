// End-to-end: the official `openai` client against a real woolly-server whose chats use MCP tools
// (`mcp_tools`). server-filesystem from tests/e2e_agent reads a file; a scripted OpenAI-compatible
// upstream (a small node:http server here) asks for files__read_file, then answers with the
// result. The client must read the answer, streamed with Woolly's tool-event chunks in between.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { startWoolly } from './woolly.mjs';

const binary = process.env.WOOLLY_SERVER;
const here = dirname(fileURLToPath(import.meta.url));
const filesystemServer = join(here, '..', 'e2e_agent', 'node_modules', '@modelcontextprotocol',
                              'server-filesystem', 'dist', 'index.js');
const apiKey = 'e2e-tools-key';
let dir;
let woolly;
let upstream;
let client;
let content;


// First round: a call of files__read_file on note.txt; after the tool's result: the answer.
function scriptedUpstream(notePath) {
  return createHttpServer(async (req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: [{ id: 'scripted', object: 'model' }] }));
    }
    let body = '';
    for await (const piece of req) body += piece;
    const r = JSON.parse(body);
    const last = r.messages[r.messages.length - 1];
    const message = last.role === 'tool'
      ? { role: 'assistant', content: `The file says: ${last.content}` }
      : { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function',
          function: { name: 'files__read_file', arguments: JSON.stringify({ path: notePath }) } }] };
    const finish = message.tool_calls ? 'tool_calls' : 'stop';
    const usage = { prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 };
    const base = { id: 'chatcmpl-scripted', created: 1, model: 'scripted' };
    if (!r.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ...base, object: 'chat.completion', usage,
        choices: [{ index: 0, message, finish_reason: finish }] }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (o) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    const delta = message.tool_calls
      ? { role: 'assistant', tool_calls: [{ index: 0, ...message.tool_calls[0] }] }
      : { role: 'assistant', content: message.content };
    send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] });
    send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] });
    send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
    res.end('data: [DONE]\n\n');
  });
}

before(async () => {
  assert.ok(binary, 'WOOLLY_SERVER must name the woolly-server binary');
  assert.ok(existsSync(filesystemServer), `run npm ci in ${join(here, '..', 'e2e_agent')}`);
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'woolly-e2e-tools-')));
  content = `a woolly note ${process.pid}`;
  writeFileSync(join(dir, 'note.txt'), content);
  upstream = scriptedUpstream(join(dir, 'note.txt'));
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  writeFileSync(join(dir, 'woolly.toml'), `
[server]
data_dir = "${join(dir, 'data')}"
[auth]
api_keys = ["${apiKey}"]
[rate_limit]
authenticated_rpm = 0
anonymous_rpm = 0
[models]
models_dir = "${join(dir, 'none')}"
default_model = "scripted"
[[backends]]
name = "scripted"
type = "openai"
base_url = "http://127.0.0.1:${upstream.address().port}/v1"
model_name = "scripted"
max_retries = 0
[mcp.servers.files]
command = "node"
args = ["${filesystemServer}", "${dir}"]
`);
  let port;
  ({ proc: woolly, port } = await startWoolly(binary, ['serve', '--config', join(dir, 'woolly.toml')],
                                              { cwd: dir }));
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
});

after(() => {
  if (woolly) woolly.kill('SIGTERM');
  if (upstream) upstream.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ask = [{ role: 'user', content: 'What does note.txt say?' }];

test('mcp_tools: the answer holds the file read through the tool, usage sums both rounds', async () => {
  const r = await client.chat.completions.create({ model: 'scripted', messages: ask, mcp_tools: true });
  assert.match(r.choices[0].message.content, new RegExp(content));
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.equal(r.usage.prompt_tokens, 22);
});

test('mcp_tools streamed: the client reads through the tool-event chunks', async () => {
  const stream = await client.chat.completions.create({
    model: 'scripted', messages: ask, mcp_tools: ['files'], stream: true,
    stream_options: { include_usage: true } });
  let text = '';
  const events = [];
  let usage;
  for await (const chunk of stream) {
    for (const c of chunk.choices) text += c.delta.content ?? '';
    if (chunk.woolly_tool_event) events.push(chunk.woolly_tool_event.type);
    if (chunk.usage) usage = chunk.usage;
  }
  assert.match(text, new RegExp(content));
  assert.deepEqual(events, ['tool_call_started', 'tool_call_finished']);
  assert.equal(usage.prompt_tokens, 22);
});

test('the stream helper of the client accumulates the same answer', async () => {
  const runner = client.beta.chat.completions.stream({ model: 'scripted', messages: ask, mcp_tools: true });
  const final = await runner.finalChatCompletion();
  assert.match(final.choices[0].message.content, new RegExp(content));
});
