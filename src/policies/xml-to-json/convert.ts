/**
 * XML → JSON with fast-xml-parser. Entity references declared in a DOCTYPE are never expanded:
 * the library's default expands simple internal ones (5.12.1 turned `<!ENTITY e "x">…&e;` into
 * `x`), so we pass a decoder that knows only XML's five predefined entities and character
 * references and leaves `&name;` as written — no billion laughs, and external entities are
 * refused by the library before any lookup (XXE). Well-formedness is checked first: the
 * parser alone accepts `<a><b></a>`.
 */
import { XMLParser } from 'fast-xml-parser';
import { BodyError } from '../body-transform.ts';

export interface XmlToJsonOptions {
  readonly attributePrefix: string;
  /** Element names that always become arrays, even with one occurrence. */
  readonly alwaysArray: ReadonlySet<string>;
  /** Drop the root element: its content becomes the document. */
  readonly dropRoot: boolean;
  /** Numbers and booleans from text (`42`, `true`), or every value as a string. */
  readonly inferTypes: boolean;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6}|lt|gt|amp|quot|apos);/g;

function character(code: number, written: string): string {
  return code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0 ? written : String.fromCodePoint(code);
}

/** XML 1.0 §4.1 and §4.6 only; DOCTYPE entities are ignored (addInputEntities does nothing). */
const decoder = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: (text: string): string =>
    text.indexOf('&') === -1
      ? text
      : text.replace(REFERENCE, (written, ref: string) => {
          if (ref[0] !== '#') return PREDEFINED[ref]!;
          return character(ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10), written);
        }),
};

export function xmlToJson(options: XmlToJsonOptions): (body: Buffer) => Buffer {
  const { alwaysArray, dropRoot } = options;
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: options.attributePrefix,
    textNodeName: '#text',
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseTagValue: options.inferTypes,
    parseAttributeValue: options.inferTypes,
    // `007`, `0x1F` stay strings: identifiers and codes, not numbers.
    numberParseOptions: { hex: false, leadingZeros: false, eNotation: true },
    isArray: (name: string, _path: unknown, _leaf: boolean, attribute: boolean) => !attribute && alwaysArray.has(name),
    entityDecoder: decoder,
  });
  return (body) => {
    let doc: Record<string, unknown>;
    try {
      doc = parser.parse(body.toString('utf8'), true) as Record<string, unknown>;
    } catch (error) {
      throw new BodyError(`the body is not well-formed XML: ${located((error as Error).message)}`);
    }
    const names = Object.keys(doc);
    if (names.length === 0) throw new BodyError('the body is not well-formed XML: it has no root element');
    const out = dropRoot ? doc[names[0]!] : doc;
    return Buffer.from(JSON.stringify(out));
  };
}

/** `Unexpected end:1:7` → `Unexpected end (line 1, column 7)`; capped, it may quote the body. */
function located(message: string): string {
  const m = /^([\s\S]*?):(\w+):(\w+)$/.exec(message);
  let text = m === null ? message : m[1]!;
  if (m !== null && /^\d+$/.test(m[2]! + m[3]!)) text += ` (line ${m[2]}, column ${m[3]})`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
