// Gateway: instance B serves through instance A as its OpenAI-compatible upstream. With A
// stopped, a model without fallback answers a clear 502/503 and one with a fallback takes over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startWoolly } from './woolly.mjs';

const binary = process.env.WOOLLY_SERVER;
const procs = [];
let dir;
let upstream;
let gateway;


async function start(args) {
  const started = await startWoolly(binary, args, { cwd: dir });
  procs.push(started.proc);
  return started;
}

const hello = [{ role: 'user', content: 'Hello there' }];
const apiKey = 'e2e-gateway-key';

before(async () => {
  assert.ok(binary, 'WOOLLY_SERVER must name the woolly-server binary');
  dir = mkdtempSync(join(tmpdir(), 'woolly-gw-'));
  const { proc: a, port: portA } = await start(['--set', `server.data_dir=${join(dir, 'a')}`,
                          '--set', `models.models_dir=${join(dir, 'none')}`,
                          // B calls A without a credential: anonymous, and not rate limited here.
                          '--set', 'rate_limit.anonymous_rpm=0']);
  upstream = a;
  // B: "via-a" goes to A; "via-a-fb" too, falling back to B's own copy of the demo model.
  writeFileSync(join(dir, 'b.toml'), `
[server]
data_dir = "${join(dir, 'b')}"
[models]
models_dir = "${join(dir, 'none')}"
default_model = "via-a"
[auth]
api_keys = ["${apiKey}"]
[rate_limit]
authenticated_rpm = 0
[[backends]]
name = "via-a"
type = "openai"
base_url = "http://127.0.0.1:${portA}/v1"
model_name = "demo"
connect_timeout = 1.0
max_retries = 0
[[backends]]
name = "via-a-fb"
type = "openai"
base_url = "http://127.0.0.1:${portA}/v1"
model_name = "demo"
connect_timeout = 1.0
max_retries = 0
fallback = "local-copy"
[[backends]]
name = "local-copy"
type = "local"
path = "${join(dir, 'a', 'models', 'demo-tiny.gguf')}"
`);
  const { port: portB } = await start(['--config', join(dir, 'b.toml')]);
  gateway = new OpenAI({ baseURL: `http://127.0.0.1:${portB}/v1`, apiKey, maxRetries: 0 });
});

after(() => {
  for (const p of procs) p.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('chat and streaming through the upstream instance', async () => {
  const args = { model: 'via-a', messages: hello, max_tokens: 6, seed: 5 };
  const plain = await gateway.chat.completions.create(args);
  assert.ok(plain.usage.completion_tokens >= 1);
  let text = '';
  for await (const chunk of await gateway.chat.completions.create({ ...args, stream: true })) {
    for (const c of chunk.choices) text += c.delta.content ?? '';
  }
  assert.equal(text, plain.choices[0].message.content);
});

test('upstream stopped: a clear 502/503, and the fallback takes over', async () => {
  upstream.kill('SIGTERM');
  await new Promise((r) => upstream.once('exit', r));
  await assert.rejects(gateway.chat.completions.create({ model: 'via-a', messages: hello, max_tokens: 4 }),
                       (e) => (e.status === 502 || e.status === 503) && typeof e.message === 'string');
  const r = await gateway.chat.completions.create({ model: 'via-a-fb', messages: hello, max_tokens: 4 });
  assert.ok(r.usage.completion_tokens >= 1);
});
