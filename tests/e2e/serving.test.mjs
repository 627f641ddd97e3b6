// End-to-end: the real woolly-server binary (demo model, temp data dir, free loopback port)
// driven by the official `openai` client and the `ws` WebSocket client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startWoolly } from './woolly.mjs';
import WebSocket from 'ws';
import Ajv from 'ajv';

const binary = process.env.WOOLLY_SERVER;
const apiKey = 'e2e-test-key';
let server;
let port;
let dataDir;
let client;


before(async () => {
  assert.ok(binary, 'WOOLLY_SERVER must name the woolly-server binary');
  dataDir = mkdtempSync(join(tmpdir(), 'woolly-e2e-'));
  ({ proc: server, port } = await startWoolly(binary, ['--set', `server.data_dir=${dataDir}`,
                          '--set', `models.models_dir=${join(dataDir, 'none')}`,
                          // The client's key is a config key; no rate limits get in the way here.
                          '--set', `auth.api_keys=${apiKey}`, '--set', 'rate_limit.authenticated_rpm=0',
                          '--set', 'rate_limit.anonymous_rpm=0'],
                 { cwd: dataDir }));
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
});

after(() => {
  if (server) server.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const hello = [{ role: 'user', content: 'Hello there' }];

test('chat', async () => {
  const r = await client.chat.completions.create({ model: 'demo', messages: hello, max_tokens: 8, seed: 1 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(typeof r.choices[0].message.content, 'string');
  assert.ok(r.usage.completion_tokens >= 1 && r.usage.completion_tokens <= 8);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('streaming chat matches the same seeded request unstreamed', async () => {
  const args = { model: 'demo', messages: hello, max_tokens: 8, seed: 7 };
  const plain = await client.chat.completions.create(args);
  const stream = await client.chat.completions.create({ ...args, stream: true,
                                                         stream_options: { include_usage: true } });
  let text = '';
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  assert.equal(text, plain.choices[0].message.content);
  assert.ok(finish === 'stop' || finish === 'length');
  assert.equal(usage.completion_tokens, plain.usage.completion_tokens);
});

test('completions', async () => {
  const r = await client.completions.create({ model: 'demo', prompt: 'Once upon', max_tokens: 5 });
  assert.equal(r.object, 'text_completion');
  assert.equal(typeof r.choices[0].text, 'string');
  assert.ok(r.usage.prompt_tokens > 0);
});

test('embeddings (the client asks for base64 and decodes it)', async () => {
  const r = await client.embeddings.create({ model: 'demo', input: ['one', 'two words'] });
  assert.equal(r.data.length, 2);
  assert.equal(r.data[0].embedding.length, 64);
  assert.ok(r.data[0].embedding.every(Number.isFinite));
});

test('logprobs', async () => {
  const r = await client.chat.completions.create({ model: 'demo', messages: hello, max_tokens: 4,
                                                   logprobs: true, top_logprobs: 2 });
  const lps = r.choices[0].logprobs.content;
  assert.equal(lps.length, r.usage.completion_tokens);
  for (const lp of lps) {
    assert.ok(lp.logprob <= 0);
    assert.equal(lp.top_logprobs.length, 2);
  }
});

test('a JSON-schema response parses and validates', async () => {
  const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } },
                   required: ['name', 'age'], additionalProperties: false };
  const r = await client.chat.completions.create({
    model: 'demo', messages: hello, max_tokens: 200, seed: 3,
    response_format: { type: 'json_schema', json_schema: { name: 'person', schema } } });
  const value = JSON.parse(r.choices[0].message.content);
  const validate = new Ajv().compile(schema);
  assert.ok(validate(value), JSON.stringify(validate.errors));
});

test('an unknown model is a 404 shaped like OpenAI\'s', async () => {
  await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: hello }),
                       (e) => e instanceof OpenAI.NotFoundError && e.status === 404 &&
                              e.code === 'model_not_found' && e.type === 'invalid_request_error');
});

// --- WebSocket hub ---

function openWs(path = '/api/v1/ws') {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const queue = [];
    const waiters = [];
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (waiters.length) waiters.shift()(m); else queue.push(m);
    });
    ws.next = () => new Promise((res) => (queue.length ? res(queue.shift()) : waiters.push(res)));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('ws: streamed chat', async () => {
  const ws = await openWs();
  ws.send(JSON.stringify({ id: 'a', type: 'chat', provider: 'local', model: 'demo', messages: hello,
                           stream: true, maxTokens: 6 }));
  let text = '';
  for (;;) {
    const m = await ws.next();
    assert.equal(m.id, 'a');
    if (m.type === 'chunk') { text += m.data; continue; }
    assert.equal(m.type, 'done');
    assert.equal(m.data, text);
    assert.equal(m.usage.totalTokens, m.usage.promptTokens + m.usage.completionTokens);
    break;
  }
  ws.close();
});

test('ws: two interleaved requests on one connection', async () => {
  const ws = await openWs('/');
  ws.send(JSON.stringify({ id: 1, type: 'completion', provider: 'auto', prompt: 'one', maxTokens: 8 }));
  ws.send(JSON.stringify({ id: 2, type: 'completion', provider: 'auto', prompt: 'two', maxTokens: 8 }));
  const text = { 1: '', 2: '' };
  const done = {};
  while (Object.keys(done).length < 2) {
    const m = await ws.next();
    if (m.type === 'chunk') text[m.id] += m.data;
    else if (m.type === 'done') done[m.id] = m.data;
    else assert.fail(JSON.stringify(m));
  }
  assert.equal(done[1], text[1]);
  assert.equal(done[2], text[2]);
  ws.close();
});

test('ws: cancel stops one request', async () => {
  const ws = await openWs();
  // Near-uniform sampling on the demo model makes the end-of-text token rare, but a generation
  // may still end by itself before the cancel arrives: such an attempt proves nothing, so try
  // again (a broken cancel ends every attempt with "done").
  let outcome = null;
  for (let attempt = 0; attempt < 5 && outcome !== 'CANCELLED'; ++attempt) {
    const id = `long-${attempt}`;
    ws.send(JSON.stringify({ id, type: 'completion', model: 'demo', prompt: 'go', maxTokens: 4000,
                             temperature: 2 }));
    // Skip what still concerns an earlier attempt (a "not in flight" answer to a late cancel).
    const nextOf = async () => { for (;;) { const m = await ws.next(); if (m.id === id) return m; } };
    const first = await nextOf();
    if (first.type === 'done') continue;
    assert.equal(first.type, 'chunk');
    ws.send(JSON.stringify({ type: 'cancel', id }));
    let m;
    do { m = await nextOf(); } while (m.type === 'chunk');
    if (m.type === 'done') continue;
    assert.equal(m.type, 'error');
    outcome = m.error.code;
  }
  assert.equal(outcome, 'CANCELLED');
  ws.close();
});

test('ws: malformed messages get an error and the connection stays open', async () => {
  const ws = await openWs();
  for (const bad of ['not json', '{"id":"x"}', '{"id":"x","type":"dance"}']) {
    ws.send(bad);
    const m = await ws.next();
    assert.equal(m.type, 'error');
    assert.ok(m.error.message);
  }
  ws.send(JSON.stringify({ id: 'ok', type: 'completion', prompt: 'hi', maxTokens: 2, stream: false }));
  const m = await ws.next();
  assert.equal(m.type, 'done');
  ws.close();
});
