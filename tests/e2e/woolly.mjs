// Starts the woolly-server under test on a loopback port the kernel picks (`--bind 127.0.0.1:0`):
// a port found free beforehand could be taken by another test's process before the server binds
// it. The server's "listening on http://ADDR:PORT" line names the port; its output is passed on
// to this process's stderr.
import { spawn } from 'node:child_process';

export async function startWoolly(binary, args, { cwd, timeoutMs = 30000 } = {}) {
  const proc = spawn(binary, [...args, '--bind', '127.0.0.1:0'],
                     { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`woolly-server did not listen within ${timeoutMs} ms:\n${seen}`)),
                             timeoutMs);
    const onData = (chunk) => {
      process.stderr.write(chunk);
      if (seen.length < 65536) seen += chunk.toString();
      const m = /listening on \w+:\/\/[^\s]*:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`woolly-server exited (${code ?? signal}) before listening:\n${seen}`));
    });
  });
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/health/live`)).ok) return { proc, port };
    } catch { /* not answering yet */ }
    if (Date.now() > end) throw new Error(`woolly-server on port ${port} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
