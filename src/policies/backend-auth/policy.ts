import { Type, type Static } from 'typebox';
import { definePolicy, docBeside, PolicyConfigError, type CompileEnv, type Exchange } from '../sdk.ts';
import { HEADER_NAME, template } from '../values.ts';

const schema = Type.Object(
  {
    scheme: Type.Enum(['basic', 'bearer'] as const, { description: 'HTTP Basic (RFC 7617) with username and password, or a Bearer token (RFC 6750)' }),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Basic: user name, a template; it may not contain `:`' })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1000, description: 'Basic: password, a template — usually a secret named value (`{{backendPassword}}`)' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192, description: 'Bearer: the token, a template (`{{backendToken}}`, `{{vars.token}}`)' })),
    forwardClientAuthorizationAs: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, pattern: HEADER_NAME, description: "Header that carries the client's own Authorization to the backend; default: the client's credential is dropped" }),
    ),
  },
  { additionalProperties: false },
);

type Config = Static<typeof schema>;

/** Visible ASCII: no space, no line break that could end the header early. */
const TOKEN = /^[\x21-\x7e]+$/;

/** Azure authentication-basic and the bearer half of authentication-managed-identity; Apiman endpoint security. */
export const backendAuth = definePolicy<Config>({
  name: 'backend-auth',
  summary: "Authenticates the gateway to the backend with Basic or Bearer credentials, replacing the client's Authorization.",
  doc: docBeside(import.meta.url),
  phases: ['request'],
  schema,
  compile(config, env) {
    const authorization = config.scheme === 'basic' ? basic(config, env) : bearer(config, env);
    const forwardAs = config.forwardClientAuthorizationAs;
    return {
      needs: { requestBody: authorization.requestBody },
      request: (x) => {
        const value = authorization(x);
        if (value === null) return;
        const h = x.requestHeaders;
        if (forwardAs !== undefined) {
          const client = h.get('authorization');
          if (client !== undefined) h.set(forwardAs, client);
        }
        h.set('authorization', value);
      },
    };
  },
});

/** The fields of this scheme must be given and the others must not. */
function fields(config: Config, required: readonly ('username' | 'password' | 'token')[]): void {
  for (const f of ['username', 'password', 'token'] as const) {
    if (required.includes(f) && config[f] === undefined) throw new PolicyConfigError(`/${f}`, `required with scheme ${config.scheme}`);
    if (!required.includes(f) && config[f] !== undefined) throw new PolicyConfigError(`/${f}`, `not used with scheme ${config.scheme}`);
  }
}

/** The Authorization value for this call, or null after refusing it. */
type Authorization = ((x: Exchange) => string | null) & { readonly requestBody: boolean };

function basic(config: Config, env: CompileEnv): Authorization {
  fields(config, ['username', 'password']);
  // A literal colon is refused now; one coming from a named value or an expression per call.
  if (config.username!.replace(/\{\{[\s\S]*?\}\}/g, '').includes(':')) throw new PolicyConfigError('/username', 'a Basic user name may not contain ":" (RFC 7617 §2)');
  const username = template(config.username!, env, '/username');
  const password = template(config.password!, env, '/password');
  // The credentials are usually constant: encode them once, not on every call.
  let last: [string, string, string] | null = null;
  const fn = (x: Exchange): string | null => {
    const u = username(x);
    const p = password(x);
    if (last !== null && last[0] === u && last[1] === p) return last[2];
    if (u.includes(':')) {
      x.refuse('PORTICO_POLICY_FAILED', 'backend-auth: the Basic user name contains ":"');
      return null;
    }
    last = [u, p, `Basic ${Buffer.from(`${u}:${p}`, 'utf8').toString('base64')}`];
    return last[2];
  };
  return Object.assign(fn, { requestBody: username.requestBody || password.requestBody });
}

function bearer(config: Config, env: CompileEnv): Authorization {
  fields(config, ['token']);
  const token = template(config.token!, env, '/token');
  const fn = (x: Exchange): string | null => {
    const t = token(x);
    if (TOKEN.test(t)) return `Bearer ${t}`;
    // Never the value in the detail: it is a secret, and this text reaches the client and traces.
    x.refuse('PORTICO_POLICY_FAILED', 'backend-auth: the bearer token is empty or holds spaces or control characters');
    return null;
  };
  return Object.assign(fn, { requestBody: token.requestBody });
}
