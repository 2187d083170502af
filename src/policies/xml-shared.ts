/** Config fields, media types and the policy shape the two XML conversion policies share. */
import { Type } from 'typebox';
import { bodyTransform, type Apply } from './body-transform.ts';
import type { PolicyInstance } from './sdk.ts';

/** An XML element or attribute name, prefixed or not (Namespaces in XML 1.0 §3, letters simplified to Unicode's). */
export const XML_NAME = /^[\p{L}_][\p{L}\p{N}._-]*(?::[\p{L}_][\p{L}\p{N}._-]*)?$/u;
const XML_NAME_PATTERN = '^[\\p{L}_][\\p{L}\\p{N}._-]*(?::[\\p{L}_][\\p{L}\\p{N}._-]*)?$';

export const ELEMENT_NAME = (description: string) => Type.String({ minLength: 1, maxLength: 200, pattern: XML_NAME_PATTERN, description });

export const ATTRIBUTE_PREFIX = Type.String({
  minLength: 1,
  maxLength: 4,
  pattern: '^[@_$~!^-]+$',
  description: 'Prefix that marks a JSON key as an XML attribute (`@id` ↔ `id="…"`); default `@`',
});

export const isXml = (type: string): boolean => type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml');
export const isJson = (type: string): boolean => type === 'application/json' || type.endsWith('+json');

/** A conversion with the shared defaults: request phase, only bodies of the source format. */
export function conversion(
  name: string,
  config: { readonly phase?: 'request' | 'response'; readonly apply?: Apply },
  accepts: (mediaType: string) => boolean,
  contentType: string,
  convert: (body: Buffer) => Buffer,
): PolicyInstance {
  return bodyTransform({ name, phase: config.phase ?? 'request', apply: config.apply ?? 'when-content-type-matches', accepts, contentType, convert });
}
