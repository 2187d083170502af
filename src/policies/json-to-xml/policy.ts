import { Type, type Static } from 'typebox';
import { APPLY } from '../body-transform.ts';
import { definePolicy, docBeside } from '../sdk.ts';
import { PHASE } from '../values.ts';
import { ATTRIBUTE_PREFIX, conversion, ELEMENT_NAME, isJson } from '../xml-shared.ts';
import { jsonToXml } from './convert.ts';

const schema = Type.Object(
  {
    phase: Type.Optional(PHASE),
    apply: Type.Optional(APPLY),
    attributePrefix: Type.Optional(ATTRIBUTE_PREFIX),
    root: Type.Optional(ELEMENT_NAME('Name of the root element that wraps the document; default `root`')),
    item: Type.Optional(ELEMENT_NAME('Element name for the members of a top-level array and of arrays inside arrays; default `item`')),
    declaration: Type.Optional(Type.Boolean({ description: 'Start with `<?xml version="1.0" encoding="UTF-8"?>` (default true)' })),
  },
  { additionalProperties: false },
);

/** Azure json-to-xml; no Kong or Apiman counterpart in their bundled plugins. */
export const jsonToXmlPolicy = definePolicy<Static<typeof schema>>({
  name: 'json-to-xml',
  summary: 'Converts a JSON request or response body to XML.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config) {
    return conversion(
      'json-to-xml',
      config,
      isJson,
      'application/xml',
      jsonToXml({
        attributePrefix: config.attributePrefix ?? '@',
        root: config.root ?? 'root',
        item: config.item ?? 'item',
        declaration: config.declaration ?? true,
      }),
    );
  },
});
