import { loadConfig } from '../../src/core/config.ts';
import type { UsageSource } from '../../src/services/usage.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startControlPlane, type RunningControlPlane } from '../../src/cli/control-plane.ts';
import { freshStore, type TestStore } from './stores.ts';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny HTTP client for the management API with a bearer token. */
export class Client {
  constructor(
    readonly baseUrl: string,
    public token: string | null = null,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.token) (init.headers as Record<string, string>).authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.call<T>('POST', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.call<T>('PATCH', path, body, headers);
  }
  put<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.call<T>('PUT', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.call<T>('DELETE', path, undefined, headers);
  }
}

export interface TestPortico {
  store: TestStore;
  cp: RunningControlPlane;
  url: string;
  /** A client holding an installation administrator's token. */
  admin: Client;
  /** Management API base (`…/management/v1`). */
  api: string;
  /** A client with a token for a service key of `role` in `orgId`. */
  serviceClient(orgId: string, role: 'owner' | 'admin' | 'publisher' | 'developer'): Promise<Client>;
  close(): Promise<void>;
}

/** Starts a control plane on a free port over a fresh store of `dialect`. */
export async function startTestPortico(dialect: 'sqlite' | 'postgres', options: { demo?: boolean; usage?: UsageSource } = {}): Promise<TestPortico> {
  const store = await freshStore(dialect);
  const config = loadConfig(
    { dataDir: store.dataDir, database: store.database, controlPlanePort: 0 },
    { PORTICO_ADMIN_CLIENT_ID: 'test-admin', PORTICO_ADMIN_CLIENT_SECRET: 'test-admin-secret', PORTICO_ADMIN_PASSWORD: 'correct horse battery staple' },
  );
  const cp = await startControlPlane(config, { demo: options.demo ?? false, logger: createLogger('silent'), ...(options.usage ? { usage: options.usage } : {}) });
  const api = `${cp.url}/management/v1`;
  const token = async (id: string, secret: string) => {
    const res = await fetch(`${cp.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) });
    const body = (await res.json()) as { access_token: string };
    return body.access_token;
  };
  const admin = new Client(api, await token('test-admin', 'test-admin-secret'));
  return {
    store,
    cp,
    url: cp.url,
    admin,
    api,
    async serviceClient(orgId, role) {
      const key = await admin.post(`/organizations/${orgId}/service-keys`, { name: `${role}-${Math.random()}`, role });
      if (key.status !== 201) throw new Error(`service key: ${key.status} ${JSON.stringify(key.body)}`);
      return new Client(api, await token(key.body.clientId, key.body.clientSecret));
    },
    async close() {
      await cp.close();
      await store.drop();
    },
  };
}

/** A client that authenticates with the console session cookie instead of a bearer token. */
export class CookieClient extends Client {
  constructor(
    baseUrl: string,
    readonly cookie: string,
  ) {
    super(baseUrl, null);
  }
  override call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    return super.call<T>(method, path, body, { cookie: this.cookie, ...headers });
  }
}

/** Signs in to the console and returns a client carrying the session cookie. */
export async function signIn(p: TestPortico, email: string, password: string): Promise<CookieClient> {
  const res = await new Client(p.api).post('/sessions', { email, password });
  if (res.status !== 201) throw new Error(`sign in ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie.startsWith('portico_session=')) throw new Error(`sign in ${email}: no session cookie`);
  return new CookieClient(p.api, cookie);
}

/** Creates a user with `role` in `orgId`, signs them in, and returns a client carrying their session cookie. */
export async function signedInMember(p: TestPortico, orgId: string, email: string, role: 'owner' | 'admin' | 'publisher' | 'developer' = 'developer'): Promise<{ client: Client; id: string }> {
  const password = 'a long enough password';
  const user = await p.admin.post('/users', { email, name: email, password });
  if (user.status !== 201) throw new Error(`user: ${user.status} ${JSON.stringify(user.body)}`);
  const member = await p.admin.put(`/organizations/${orgId}/members/${user.body.id}`, { role });
  if (member.status !== 200) throw new Error(`member: ${member.status} ${JSON.stringify(member.body)}`);
  return { client: await signIn(p, email, password), id: user.body.id as string };
}
