/**
 * TLS options for connections to a backend. `ca` replaces the default trust store (the snapshot
 * says "in addition to none other"), `cert`/`key` present a client certificate for mutual TLS.
 * SNI is sent for host names only (RFC 6066 §3 forbids IP literals in server_name).
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { SnapshotTls } from '../../snapshot/types.ts';

export function tlsOptions(tls: SnapshotTls | null, hostname: string): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (isIP(hostname) === 0) options.servername = hostname;
  if (tls === null) return options;
  if (tls.ca !== null) options.ca = tls.ca;
  if (tls.cert !== null) options.cert = tls.cert;
  if (tls.key !== null) options.key = tls.key;
  options.rejectUnauthorized = tls.rejectUnauthorized;
  return options;
}
