/**
 * The shared shape of policies that rewrite a whole body (json-to-xml, xml-to-json, find-replace):
 * buffer the body of one phase only, decide whether it applies, convert it, set the new
 * Content-Type. Content-Length is not set here: the gateway writes the length of the body it
 * sends (driver.ts for requests, send.ts for buffered responses) and drops the original one.
 */
import { Type } from 'typebox';
import type { Exchange, Headers, PolicyInstance } from './sdk.ts';

export const APPLY = Type.Enum(['when-content-type-matches', 'always'] as const, {
  description: 'Convert only bodies whose Content-Type is the source format (default; others pass unchanged), or every non-empty body (Azure `apply="always"`)',
});
export type Apply = 'when-content-type-matches' | 'always';

/** A body the policy cannot read; the message is shown to the client (never a secret in it). */
export class BodyError extends Error {}

export interface BodyTransform {
  /** Policy type, prefixed to problem details. */
  readonly name: string;
  readonly phase: 'request' | 'response';
  readonly apply: Apply;
  /** Whether a media type (lower case, without parameters) is the source format. */
  readonly accepts: (mediaType: string) => boolean;
  /** The new body, or null to leave it as it is; throws BodyError for a body it cannot read. */
  readonly convert: (body: Buffer) => Buffer | null;
  /** Content-Type of a converted body; undefined keeps the header. */
  readonly contentType?: string;
}

/** `application/soap+xml; charset=utf-8` → `application/soap+xml`. */
export function mediaType(headers: Headers): string {
  const value = headers.get('content-type');
  if (value === undefined) return '';
  const semi = value.indexOf(';');
  return (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** A compressed body cannot be read as text; the gateway asks backends for `identity`. */
function encoded(headers: Headers): boolean {
  const value = headers.get('content-encoding');
  return value !== undefined && value.trim().toLowerCase() !== 'identity';
}

export function bodyTransform(t: BodyTransform): PolicyInstance {
  /** The new body, null to leave the body, or a reason it cannot be converted. */
  const run = (headers: Headers, body: Buffer | null): Buffer | null | BodyError => {
    if (body === null || body.length === 0) return null;
    if (t.apply === 'when-content-type-matches' && (encoded(headers) || !t.accepts(mediaType(headers)))) return null;
    if (encoded(headers)) return new BodyError(`the body is content-encoded (${headers.get('content-encoding')}) and cannot be read`);
    try {
      return t.convert(body);
    } catch (error) {
      if (error instanceof BodyError) return error;
      throw error;
    }
  };
  if (t.phase === 'request') {
    return {
      needs: { requestBody: true },
      request: (x: Exchange) => {
        const out = run(x.requestHeaders, x.requestBody);
        if (out === null) return;
        if (out instanceof BodyError) return x.refuse('PORTICO_BODY_UNPARSABLE', `${t.name}: ${out.message}`);
        x.requestBody = out;
        if (t.contentType !== undefined) x.requestHeaders.set('content-type', t.contentType);
      },
    };
  }
  return {
    needs: { responseBody: true },
    response: (x: Exchange) => {
      const out = run(x.responseHeaders, x.responseBody);
      if (out === null) return;
      // The backend's answer is broken, not the client's request: a server-side failure.
      if (out instanceof BodyError) return x.refuse('PORTICO_POLICY_FAILED', `${t.name}: the backend's answer cannot be converted: ${out.message}`);
      x.responseBody = out;
      if (t.contentType !== undefined) x.responseHeaders.set('content-type', t.contentType);
    },
  };
}
