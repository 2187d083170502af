/**
 * WebSocket (and any HTTP/1.1 Upgrade, RFC 9110 §7.8) pass-through. The request is routed like
 * any other, then written to a raw connection to the chosen target and both sockets are piped:
 * the backend's 101 and every frame after it travel untouched.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { authorize, type Outcome } from './access.ts';
import { addForwarding, copyRequestHeaders, newSeen, type SeenHeaders } from './headers.ts';
import { spanContext } from './observe/trace-context.ts';
import type { RuntimeHolder } from './handler.ts';
import { hostnameOf } from './handler.ts';
import { writeRawProblem } from './problem.ts';
import { isSafePath, parseTarget, stripSegments, type RequestTarget } from './request-path.ts';
import type { CompiledRoute } from './runtime.ts';
import { isDenial } from './tokens.ts';
import { tlsOptions } from './upstream/tls.ts';

const seen = newSeen();

export function handleUpgrade(holder: RuntimeHolder, req: IncomingMessage, client: Duplex, head: Buffer): void {
  client.on('error', () => client.destroy());
  const headers = copyRequestHeaders(req.rawHeaders, seen);
  const requestId = seen.requestId ?? randomUUID();
  const rt = holder.current;
  if (rt === null) return writeRawProblem(client, 'PORTICO_NOT_READY', requestId);
  const target = parseTarget(req.url!);
  if (target === null || !isSafePath(target.path)) return writeRawProblem(client, 'PORTICO_PATH_REJECTED', requestId);
  const clientHost = target.host ?? seen.host;
  const hostname = hostnameOf(clientHost);
  const route = rt.router.find(req.method!, hostname, target.path, target.query, req.rawHeaders);
  if (route === null) return writeRawProblem(client, 'PORTICO_ROUTE_NOT_FOUND', requestId);
  const outcome = authorize(rt.access, route.apiId, route.access, headers, target.query);
  if (outcome instanceof Promise) {
    const mine: SeenHeaders = { ...seen };
    outcome.then(
      (o) => proceed(req, client, head, route, requestId, headers, mine, clientHost, target, o),
      () => writeRawProblem(client, 'PORTICO_INTERNAL', requestId),
    );
    return;
  }
  proceed(req, client, head, route, requestId, headers, seen, clientHost, target, outcome);
}

function proceed(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  route: CompiledRoute,
  requestId: string,
  headers: string[],
  seen: SeenHeaders,
  clientHost: string,
  target: RequestTarget,
  outcome: Outcome,
): void {
  if (isDenial(outcome)) return writeRawProblem(client, outcome.denied, requestId, outcome.detail);
  const backend = route.backend;
  const upstream = backend.balancer.pick(null);
  if (upstream === null) return writeRawProblem(client, 'PORTICO_CIRCUIT_OPEN', requestId);
  addForwarding(headers, seen, {
    clientIp: req.socket.remoteAddress ?? '',
    clientHost,
    proto: 'http',
    upstreamHost: backend.preserveHost ? clientHost : upstream.authority,
    requestId,
    span: spanContext(seen.traceparent, seen.tracestate),
  });
  // Upgrade and Connection are hop-by-hop, but they are exactly what this hop must repeat.
  if (seen.upgrade !== null) headers.push('connection', 'upgrade', 'upgrade', seen.upgrade);
  const path = (upstream.basePath + stripSegments(target.path, route.prefixSegments) || '/') + (outcome.query === null ? '' : '?' + outcome.query);
  let head0 = `${req.method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head0 += `${headers[i]}: ${headers[i + 1]}\r\n`;
  head0 += '\r\n';

  const options = { host: upstream.hostname, port: upstream.port };
  const server: Socket = upstream.secure
    ? tlsConnect({ ...options, ...tlsOptions(backend.tls, upstream.hostname) })
    : netConnect(options);
  let connected = false;
  server.setTimeout(backend.connectTimeoutMs, () => {
    if (connected) return;
    upstream.breaker.failure(Date.now());
    server.destroy();
    writeRawProblem(client, 'PORTICO_UPSTREAM_TIMEOUT', requestId);
  });
  server.once(upstream.secure ? 'secureConnect' : 'connect', () => {
    connected = true;
    server.setTimeout(0);
    upstream.breaker.success();
    server.write(head0);
    if (head.length > 0) server.write(head);
    server.pipe(client);
    client.pipe(server);
  });
  server.on('error', () => {
    if (!connected) {
      upstream.breaker.failure(Date.now());
      writeRawProblem(client, 'PORTICO_UPSTREAM_UNAVAILABLE', requestId);
    } else client.destroy();
  });
  server.on('close', () => client.destroy());
  client.on('close', () => server.destroy());
}
