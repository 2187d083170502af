/**
 * JSON → XML with fast-xml-parser's builder. The JSON is checked while it is shaped for the
 * builder, because the builder writes whatever it is given: a key that is no XML name (`1st`,
 * `a b`) or a control character would make a document no XML parser accepts. Arrays become
 * repeated elements; an array inside an array becomes an element holding `item`s, since XML has
 * no anonymous lists.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { BodyError } from '../body-transform.ts';
import { XML_NAME } from '../xml-shared.ts';

export interface JsonToXmlOptions {
  readonly attributePrefix: string;
  readonly root: string;
  /** Element name for the members of a top-level or nested array. */
  readonly item: string;
  readonly declaration: boolean;
}

/** As deep as xml-to-json reads (fast-xml-parser's default maxNestedTags). */
const MAX_DEPTH = 100;
/** Characters XML 1.0 §2.2 does not allow, even as references. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

type Shaped = string | number | boolean | null | Shaped[] | { [key: string]: Shaped };

export function jsonToXml(options: JsonToXmlOptions): (body: Buffer) => Buffer {
  const { attributePrefix: prefix, root, item } = options;
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: prefix, textNodeName: '#text', suppressBooleanAttributes: false });
  const head = options.declaration ? DECLARATION : '';

  const scalar = (value: unknown, where: string): Shaped => {
    if (typeof value === 'string' && NOT_XML.test(value)) throw new BodyError(`${where} holds a character XML 1.0 cannot carry`);
    return value as Shaped;
  };
  const name = (key: string, where: string): string => {
    if (!XML_NAME.test(key)) throw new BodyError(`the key ${JSON.stringify(key.slice(0, 100))} at ${where} is not an XML name`);
    return key;
  };
  const shape = (value: unknown, where: string, depth: number): Shaped => {
    if (depth > MAX_DEPTH) throw new BodyError(`the document nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) return value.map((v) => (Array.isArray(v) ? { [item]: shape(v, where, depth + 1) } : shape(v, where, depth + 1)));
    if (value === null || typeof value !== 'object') return scalar(value, where);
    const entries: [string, Shaped][] = [];
    for (const [key, v] of Object.entries(value)) {
      const at = `${where}/${key}`;
      if (key === '#text') entries.push([key, scalar(v, at)]);
      else if (key.startsWith(prefix)) {
        if (v !== null && typeof v === 'object') throw new BodyError(`${at}: an attribute takes a string, number or boolean`);
        entries.push([prefix + name(key.slice(prefix.length), at), scalar(v, at)]);
      } else entries.push([name(key, at), shape(v, at, depth + 1)]);
    }
    // fromEntries defines own properties: a `__proto__` key stays a key.
    return Object.fromEntries(entries);
  };

  return (body) => {
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new BodyError(`the body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
    }
    const content = Array.isArray(data) ? { [item]: shape(data, '/', 1) } : shape(data, '', 1);
    return Buffer.from(head + (builder.build({ [root]: content }) as string));
  };
}
