/** Shared fixtures for the gateway conformance suite: real servers on 127.0.0.1, port 0. */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import type { Snapshot, SnapshotApi, SnapshotBackend } from '../../src/snapshot/types.ts';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

/** A backend that echoes what it received as JSON, unless `handler` answers. */
export function echoBackend(handler?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean | void): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (handler?.(req, res, body) === true) return;
      const seen: Seen = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body };
      const out = JSON.stringify(seen);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
}

export function backend(id: string, urls: string[], extra: Partial<SnapshotBackend> = {}): SnapshotBackend {
  return {
    id,
    name: id,
    targets: urls.map((url) => ({ url, weight: 1 })),
    balancing: 'round-robin',
    connectTimeoutMs: 1000,
    readTimeoutMs: 2000,
    retries: 0,
    hostHeader: 'backend',
    circuitBreaker: { failureThreshold: 0, cooldownMs: 1000 },
    tls: null,
    ...extra,
  };
}

export function api(id: string, basePath: string, backendId: string, extra: Partial<SnapshotApi> = {}): SnapshotApi {
  return {
    id,
    organizationId: 'org_1',
    name: id,
    basePath,
    host: null,
    version: null,
    versioning: { scheme: 'none', name: null },
    visibility: 'public',
    backendId,
    operations: [],
    maxRequestBodyBytes: 1024 * 1024,
    ...extra,
  };
}

export function snapshot(revision: number, backends: SnapshotBackend[], apis: SnapshotApi[]): Snapshot {
  return { revision, generatedAt: new Date().toISOString(), backends, apis };
}

export async function startGateway(s?: Snapshot, maxHeaderBytes?: number, logger?: Logger): Promise<{ gateway: Gateway; url: string; port: number }> {
  const gateway = createGateway({ host: '127.0.0.1', port: 0, ...(maxHeaderBytes ? { maxHeaderBytes } : {}), ...(logger ? { logger } : {}), drainTimeoutMs: 2000 });
  if (s) gateway.apply(s);
  const { port } = await gateway.listen();
  return { gateway, url: `http://127.0.0.1:${port}`, port };
}

/** Sends raw bytes and collects everything until the server closes or `idleMs` passes quietly. */
export function rawRequest(port: number, data: string | Buffer, idleMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    let timer = setTimeout(() => socket.destroy(), idleMs);
    socket.on('data', (d) => {
      out += d.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), idleMs);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.write(data);
  });
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

/** One request with node:http (no path normalisation, unlike fetch). */
export function call(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function json<T = Record<string, unknown>>(r: Reply): T {
  return JSON.parse(r.body) as T;
}
