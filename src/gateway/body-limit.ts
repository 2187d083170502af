/**
 * Request body limit for bodies of unknown length (chunked). Bodies with a Content-Length are
 * checked up front in the request handler; Node's parser guarantees they are not longer.
 * Counting happens while the body streams to the backend: nothing is buffered.
 */
import type { IncomingMessage } from 'node:http';
import { PorticoError } from '../core/errors.ts';

export async function* limitBody(req: IncomingMessage, max: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) throw new PorticoError('PORTICO_BODY_TOO_LARGE', `The request body exceeds ${max} bytes`);
    yield chunk;
  }
}
