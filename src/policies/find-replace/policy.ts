import { isUtf8 } from 'node:buffer';
import { Type, type Static } from 'typebox';
import { bodyTransform } from '../body-transform.ts';
import { linearRegExp } from '../expressions/index.ts';
import { definePolicy, docBeside, PolicyConfigError } from '../sdk.ts';
import { PHASE } from '../values.ts';

const schema = Type.Object(
  {
    find: Type.String({ minLength: 1, maxLength: 1000, description: 'Text to find, or a regular expression with `regex: true`' }),
    replace: Type.String({ maxLength: 65536, description: 'Replacement of every occurrence; with `regex`, `$1` … and `$<name>` insert groups and `$$` a dollar sign' }),
    regex: Type.Optional(Type.Boolean({ description: '`find` is a regular expression (run in linear time: no backreferences or lookaround); default false' })),
    ignoreCase: Type.Optional(Type.Boolean({ description: 'Without `regex`: `find` matches whatever its letters\' case (`Internal` finds `INTERNAL`); default false' })),
    multiline: Type.Optional(Type.Boolean({ description: 'With `regex`: `^` and `$` match at line breaks' })),
    dotAll: Type.Optional(Type.Boolean({ description: 'With `regex`: `.` matches line breaks too' })),
    contentTypes: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 200, pattern: '^[a-z0-9!#$&^_.+-]+/([a-z0-9!#$&^_.+-]+|\\*)$', description: 'Media type, lower case (`text/html`, `text/*`)' }), {
        minItems: 1,
        maxItems: 50,
        description: 'Only bodies of these media types; default: every body that is valid UTF-8',
      }),
    ),
    phase: Type.Optional(PHASE),
  },
  { additionalProperties: false },
);

type Config = Static<typeof schema>;

/** Azure find-and-replace; Apiman URL Rewriting (response bodies, fixed to URLs); no Kong plugin. */
export const findReplace = definePolicy<Config>({
  name: 'find-replace',
  summary: 'Replaces every occurrence of a string or a regular expression in the request or response body.',
  doc: docBeside(import.meta.url),
  phases: ['request', 'response'],
  schema,
  compile(config) {
    const replaceIn = config.regex === true ? regexReplacer(config) : literalReplacer(config);
    const types = config.contentTypes;
    return bodyTransform({
      name: 'find-replace',
      phase: config.phase ?? 'request',
      apply: 'when-content-type-matches',
      accepts: types === undefined ? () => true : (type) => types.some((t) => t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1)))),
      convert: (body) => {
        // Binary bodies are left alone: decoding them as text would corrupt them.
        if (!isUtf8(body)) return null;
        const text = body.toString('utf8');
        const out = replaceIn(text);
        return out === text ? null : Buffer.from(out);
      },
    });
  },
});

function literalReplacer(config: Config): (text: string) => string {
  if (config.multiline !== undefined || config.dotAll !== undefined) throw new PolicyConfigError(config.multiline !== undefined ? '/multiline' : '/dotAll', 'only with regex: true');
  const { find, replace } = config;
  if (config.ignoreCase === true) {
    const re = linearRegExp(anyCase(find), 'g');
    return (text) => text.replace(re, () => replace);
  }
  // split/join: the replacement is taken literally (String#replaceAll would read `$&` in it).
  return (text) => (text.includes(find) ? text.split(find).join(replace) : text);
}

/**
 * A pattern matching `literal` in any case, for the linear engine (which has no `i` flag): each
 * character that has other cases becomes the set of its single-character forms (`[kK]`, and
 * `(?:…|…)` for characters outside the BMP); everything else is matched as written.
 */
function anyCase(literal: string): string {
  let out = '';
  for (const ch of literal) {
    const forms = [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])].filter((f) => [...f].length === 1);
    if (forms.length === 1) out += escape(ch);
    else if (forms.every((f) => f.length === 1)) out += `[${forms.map(escape).join('')}]`;
    else out += `(?:${forms.map(escape).join('|')})`;
  }
  return out;
}

/** `ch` as a pattern that matches it literally: each UTF-16 unit as `\uXXXX`. */
function escape(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

function regexReplacer(config: Config): (text: string) => string {
  if (config.ignoreCase !== undefined) throw new PolicyConfigError('/ignoreCase', 'only without regex: in a regular expression write the cases out ([Aa])');
  let re: RegExp;
  try {
    re = linearRegExp(config.find, `g${config.multiline === true ? 'm' : ''}${config.dotAll === true ? 's' : ''}`);
  } catch (error) {
    throw new PolicyConfigError('/find', (error as Error).message);
  }
  if (new RegExp(re.source, re.flags.replace('g', '')).test('')) throw new PolicyConfigError('/find', 'the expression matches the empty string: it would insert the replacement between every character');
  checkGroups(config.replace, re);
  const replace = config.replace;
  return (text) => text.replace(re, replace);
}

/** A `$3` with two groups, or `$<name>` of no group, would be written literally: refuse it now. */
function checkGroups(replacement: string, re: RegExp): void {
  const groups = new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')!.length - 1;
  const names = new Set([...re.source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]));
  for (const m of replacement.matchAll(/\$(\$|<([^>]*)>|([0-9]{1,2}))/g)) {
    if (m[2] !== undefined && !names.has(m[2])) throw new PolicyConfigError('/replace', `$<${m[2]}> names no group of find`);
    const digits = m[3];
    if (digits === undefined) continue;
    const two = Number(digits);
    const one = Number(digits[0]);
    // JavaScript reads `$12` as group 12 when there is one, else as group 1 then "2".
    if (!(digits.length === 2 && two >= 1 && two <= groups) && !(one >= 1 && one <= groups)) {
      throw new PolicyConfigError('/replace', `$${digits} refers to a group find does not have (it has ${groups})`);
    }
  }
}
