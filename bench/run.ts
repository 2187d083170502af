/**
 * `npm run bench`: one run, one machine, one wrk client, ratios within the run (STYLE.md habit 14).
 * Backend: nginx serving a fixed 1 KiB body. Cases: direct; nginx reverse proxy; the Node floor;
 * Portico with 1 route; Portico with 10,000 routes; Portico with 1 and 2 workers (cluster); the
 * policy cases (5 policies, key auth, rate limits, analytics), which run in `BENCH_ROUNDS`
 * alternating rounds with "1 route" and report the median of their per-round cost against it.
 * Single-worker proxies are pinned to core 1 with taskset when available; the backend, wrk and the
 * benchmark's own Redis are pinned to the other cores, so nothing else runs on the measured core.
 * Every process started here is stopped by its PID.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_KEY } from './key.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/** Alternating rounds of "1 route" and the policy cases; each case's cost is the median over rounds. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CONNECTIONS = 50;
/** `BENCH_ONLY=rate,analytics` runs only the Portico cases whose name contains one of the words. */
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter((w) => w !== '');
const selected = (name: string): boolean => ONLY.length === 0 || ONLY.some((w) => name.includes(w));
const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function ensureTools(): void {
  if (have('nginx') && have('wrk')) return;
  console.log('installing nginx and wrk with apt-get …');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'nginx', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const children: ChildProcess[] = [];
const pin = have('taskset') && availableParallelism() > 1;
/** Every core but 1: the backend, wrk and Redis never take the measured proxy's core from it. */
const LOAD_CORES = [0, ...Array.from({ length: Math.max(0, availableParallelism() - 2) }, (_, i) => i + 2)].join(',');

/** `true`: core 1, where the measured proxy runs alone; `load`: the other cores, with the backend and wrk. */
function start(cmd: string, args: string[], pinned: boolean | 'load', env?: NodeJS.ProcessEnv): ChildProcess {
  const core = pinned === 'load' ? LOAD_CORES : '1';
  const [c, a] = pinned !== false && pin ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args];
  // taskset execs the command, so the PID we hold is the proxy's own.
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  children.push(child);
  return child;
}

function waitReady(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /ready (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ready`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

async function waitHttp(port: number, path: string, headers: string[] = []): Promise<void> {
  const init = { headers: Object.fromEntries(headers.map((h) => h.split(': ') as [string, string])) };
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, init);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing answers on ${port}${path}`);
}

interface Result {
  name: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** Policy cases: req/s of each round, and the cost against that round's "1 route" (fraction). */
  rounds?: number[];
  cost?: number;
}

function toMs(v: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(v);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function wrk(url: string, seconds: number, headers: string[] = []): Promise<Omit<Result, 'name'>> {
  return new Promise((resolve, reject) => {
    const args = ['-t2', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
    const [c, a] = pin ? ['taskset', ['-c', LOAD_CORES, 'wrk', ...args]] : ['wrk', args];
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk failed: ${out}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
      const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
      const errs = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const errors = Number(errs?.[1] ?? 0) + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
      resolve({ rps, p50ms: p50, p99ms: p99, errors });
    });
  });
}

async function measure(name: string, url: string, headers: string[] = []): Promise<Result> {
  if (WARMUP > 0) await wrk(url, WARMUP, headers);
  const r: Result = { name, ...(await wrk(url, DURATION, headers)) };
  console.log(`${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  errors ${r.errors}`);
  return r;
}

function nginxConf(dir: string, name: string, server: string): string {
  const file = join(dir, `${name}.conf`);
  writeFileSync(
    file,
    `worker_processes 1;\ndaemon off;\npid ${dir}/${name}.pid;\nerror_log ${dir}/${name}.error.log warn;\n` +
      `events { worker_connections 4096; }\n` +
      `http {\n access_log off;\n client_body_temp_path ${dir}/${name}-body;\n proxy_temp_path ${dir}/${name}-proxy;\n` +
      ` fastcgi_temp_path ${dir}/${name}-fcgi;\n uwsgi_temp_path ${dir}/${name}-uwsgi;\n scgi_temp_path ${dir}/${name}-scgi;\n keepalive_requests 1000000;\n${server}\n}\n`,
  );
  return file;
}

async function main(): Promise<void> {
  ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const results: Result[] = [];
  try {
    const backendPort = await freePort();
    const body = 'x'.repeat(1024);
    const backend = start('nginx', ['-c', nginxConf(dir, 'backend', ` server {\n  listen 127.0.0.1:${backendPort};\n  client_max_body_size 0;\n  location / { default_type text/plain; return 200 "${body}"; }\n }`), '-p', dir], 'load');
    await waitHttp(backendPort, '/');
    const origin = `http://127.0.0.1:${backendPort}`;
    results.push(await measure('direct to backend (nginx)', `${origin}/bench/x`));

    const proxyPort = await freePort();
    const proxy = start(
      'nginx',
      [
        '-c',
        nginxConf(
          dir,
          'proxy',
          ` upstream be { server 127.0.0.1:${backendPort}; keepalive 128; }\n server {\n  listen 127.0.0.1:${proxyPort};\n` +
            `  location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }\n }`,
        ),
        '-p',
        dir,
      ],
      true,
    );
    await waitHttp(proxyPort, '/');
    results.push(await measure('nginx reverse proxy (1 worker)', `http://127.0.0.1:${proxyPort}/bench/x`));
    await stop(proxy);

    const tsx = ['--import', 'tsx'];
    const floor = start(process.execPath, [...tsx, 'bench/node-floor.ts', origin], true);
    const floorPort = await waitReady(floor);
    results.push(await measure('Node floor (node:http + undici)', `http://127.0.0.1:${floorPort}/bench/x`));
    await stop(floor);

    const redis = await startRedis(dir);
    const portico = async (name: string, routes: number, workers: string, pinned: boolean, mode: string): Promise<Result> => {
      const args = [...tsx, 'bench/portico.ts', origin, String(routes), workers, mode];
      const child = start(process.execPath, args, pinned, { BENCH_REDIS_URL: redis.url });
      const port = await waitReady(child);
      const headers = mode === 'none' ? [] : [`X-API-Key: ${BENCH_KEY}`];
      await waitHttp(port, '/bench/x', headers);
      const r = await measure(name, `http://127.0.0.1:${port}/bench/x`, headers);
      await stop(child);
      return r;
    };
    const POLICY_CASES = [
      ['Portico, 5 policies, 1 worker', 'policies5'],
      ['Portico, key auth, 1 worker', 'key'],
      ['Portico, key auth + analytics, 1 worker', 'key+analytics'],
      ['Portico, key auth + rate limit (memory), 1 worker', 'key+rl'],
      ['Portico, key auth + rate limit (Redis), 1 worker', 'key+rl-redis'],
      ['Portico, key auth + rate limit + analytics, 1 worker', 'key+rl+analytics'],
    ] as const;
    const policyCases = POLICY_CASES.filter(([name]) => selected(name));
    // Rounds alternate "1 route" with every selected policy case, so a drift of the machine's speed
    // during the run moves both sides of each ratio alike.
    const baseRounds: Result[] = [];
    const caseRounds = new Map<string, Result[]>(policyCases.map(([name]) => [name, []]));
    for (let round = 1; round <= (policyCases.length > 0 ? ROUNDS : 1); round++) {
      if (ROUNDS > 1 && policyCases.length > 0) console.log(`-- round ${round} of ${ROUNDS}`);
      baseRounds.push(await portico('Portico, 1 route, 1 worker', 1, '1', true, 'none'));
      for (const [name, mode] of policyCases) caseRounds.get(name)!.push(await portico(name, 1, '1', true, mode));
    }
    results.push(medianOf(baseRounds));
    for (const [name, mode, routes, workers, pinned] of [
      ['Portico, 10,000 routes, 1 worker', 'none', 10_000, '1', true],
      ['Portico, 1 route, cluster 1 worker', 'none', 1, 'cluster1', false],
      ['Portico, 1 route, cluster 2 workers', 'none', 1, '2', false],
    ] as const) {
      if (selected(name)) results.push(await portico(name, routes, workers, pinned, mode));
    }
    for (const [name] of policyCases) {
      const rounds = caseRounds.get(name)!;
      const r = medianOf(rounds);
      r.cost = median(rounds.map((x, i) => (x.rps - baseRounds[i]!.rps) / baseRounds[i]!.rps));
      results.push(r);
    }
    await redis.stop();
    await stop(backend);
  } finally {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }

  const by = (n: string): Result | undefined => results.find((r) => r.name.startsWith(n));
  const nginx = by('nginx reverse proxy')!;
  const floor = by('Node floor')!;
  const one = by('Portico, 1 route, 1 worker')!;
  console.log('\nratios (same run):');
  for (const r of results) {
    const vsOne = r.cost ?? (r.rps - one.rps) / one.rps;
    const cost = r.name.startsWith('Portico') ? `   ${(vsOne * 100).toFixed(1)}% vs no policy${r.cost !== undefined && ROUNDS > 1 ? ` (median of ${ROUNDS} rounds)` : ''}` : '';
    console.log(`  ${r.name.padEnd(52)} ${(r.rps / nginx.rps).toFixed(2)}× nginx proxy   ${(r.rps / floor.rps).toFixed(2)}× Node floor${cost}`);
  }
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, pinned: pin, durationSeconds: DURATION, rounds: ROUNDS, connections: CONNECTIONS, results },
      null,
      2,
    ),
  );
  console.log(`\nwritten ${file}`);
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** One line for a case measured in several rounds: the median of each figure, every round's req/s kept. */
function medianOf(rounds: Result[]): Result {
  const r: Result = {
    name: rounds[0]!.name,
    rps: median(rounds.map((x) => x.rps)),
    p50ms: median(rounds.map((x) => x.p50ms)),
    p99ms: median(rounds.map((x) => x.p99ms)),
    errors: rounds.reduce((a, x) => a + x.errors, 0),
  };
  if (rounds.length > 1) r.rounds = rounds.map((x) => Math.round(x.rps));
  return r;
}

/**
 * The benchmark's own Redis for the Redis rate-limit case, on a free port, on the load side's core
 * (in a deployment Redis has a host of its own, not the gateway's core); stopped by its PID.
 */
async function startRedis(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  if (!have('redis-server')) return { url: 'redis://127.0.0.1:6379', stop: async () => {} };
  const port = await freePort();
  const child = start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], 'load');
  for (let i = 0; i < 100; i++) {
    const pong = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim();
    if (pong === 'PONG') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => stop(child) };
}

process.on('SIGINT', () => {
  for (const c of children) c.kill('SIGKILL');
  process.exit(130);
});
await main();
