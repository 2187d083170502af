import { Type, type Static } from 'typebox';
import { APPLY } from '../body-transform.ts';
import { definePolicy, docBeside } from '../sdk.ts';
import { PHASE } from '../values.ts';
import { ATTRIBUTE_PREFIX, conversion, ELEMENT_NAME, isXml } from '../xml-shared.ts';
import { xmlToJson } from './convert.ts';

const schema = Type.Object(
  {
    phase: Type.Optional(PHASE),
    apply: Type.Optional(APPLY),
    attributePrefix: Type.Optional(ATTRIBUTE_PREFIX),
    alwaysArray: Type.Optional(
      Type.Array(ELEMENT_NAME('Element name as written, prefix included (`item`, `ns:item`)'), {
        maxItems: 100,
        uniqueItems: true,
        description: 'Elements that always become JSON arrays, so that one occurrence does not change the shape',
      }),
    ),
    root: Type.Optional(Type.Enum(['keep', 'drop'] as const, { description: 'Keep the root element as the top-level key (default), or make its content the document' })),
    types: Type.Optional(Type.Enum(['infer', 'strings'] as const, { description: 'Turn text such as `42` and `true` into JSON numbers and booleans (default), or keep every value a string' })),
  },
  { additionalProperties: false },
);

/** Azure xml-to-json; no Kong or Apiman counterpart in their bundled plugins. */
export const xmlToJsonPolicy = definePolicy<Static<typeof schema>>({
  name: 'xml-to-json',
  summary: 'Converts an XML request or response body to JSON.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config) {
    return conversion(
      'xml-to-json',
      config,
      isXml,
      'application/json',
      xmlToJson({
        attributePrefix: config.attributePrefix ?? '@',
        alwaysArray: new Set(config.alwaysArray ?? []),
        dropRoot: config.root === 'drop',
        inferTypes: (config.types ?? 'infer') === 'infer',
      }),
    );
  },
});
