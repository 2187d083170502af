/** Config fields and media types the two XML conversion policies share. */
import { Type } from 'typebox';

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
