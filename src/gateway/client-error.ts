/**
 * Malformed requests never crash the gateway: Node's parser reports them here, and we answer with
 * problem+json on the raw socket (431 for oversized headers, RFC 6585 §5; 400 otherwise) and close.
 */
import type { Duplex } from 'node:stream';
import { writeRawProblem } from './problem.ts';

export function handleClientError(err: Error & { code?: string }, socket: Duplex): void {
  socket.on('error', () => {});
  // The connection is gone, or a response is already being written on it: nothing to say.
  const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (err.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') return writeRawProblem(socket, 'PORTICO_HEADERS_TOO_LARGE');
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_TIMEOUT') {
    socket.destroy();
    return;
  }
  writeRawProblem(socket, 'PORTICO_MALFORMED_REQUEST', undefined, err.code);
}
