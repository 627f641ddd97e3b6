// Gateway: instance B serves through instance A as its OpenAI-compatible upstream. With A
// stopped, a model without fallback answers a clear 502/503 and one with a fallback takes over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';

const binary = process.env.WOOLLY_SERVER;
const procs = [];
let dir;
let upstream;
let gateway;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function start(args, port) {
  const p = spawn(binary, [...args, '--bind', `127.0.0.1:${port}`],
                  { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  procs.push(p);
  const end = Date.now() + 30000;
  while (Date.now() < end) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/health/live`)).ok) return p;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`woolly-server on ${port} did not start`);
}

const hello = [{ role: 'user', content: 'Hello there' }];
const apiKey = 'e2e-gateway-key';

before(async () => {
  assert.ok(binary, 'WOOLLY_SERVER must name the woolly-server binary');
  dir = mkdtempSync(join(tmpdir(), 'woolly-gw-'));
  const portA = await freePort();
  upstream = await start(['--set', `server.data_dir=${join(dir, 'a')}`,
                          '--set', `models.models_dir=${join(dir, 'none')}`,
                          // B calls A without a credential: anonymous, and not rate limited here.
                          '--set', 'rate_limit.anonymous_rpm=0'], portA);
  const portB = await freePort();
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
  await start(['--config', join(dir, 'b.toml')], portB);
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
