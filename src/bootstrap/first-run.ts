import { randomToken } from '../core/ids.ts';
import type { PorticoConfig } from '../core/config.ts';
import type { ServiceKeyCredentials } from '../domain/service-key.ts';
import { SYSTEM, type Services } from '../services/context.ts';
import { serviceKeys } from '../services/service-keys.ts';
import { users } from '../services/users.ts';
import { seedDemo, type DemoResult } from './demo.ts';

export interface FirstRun {
  admin: { email: string; password: string };
  serviceKey: ServiceKeyCredentials;
  demo: DemoResult | null;
}

export const ADMIN_EMAIL = 'admin@portico.local';

/**
 * On an empty store: the administrator, an installation-wide service key for automation, and the
 * demo organization. Returns null when the store already has users (not a first run).
 */
export async function firstRun(services: Services, config: PorticoConfig, options: { demo: boolean; echoUrl: string }): Promise<FirstRun | null> {
  const existing = await services.store.db.selectFrom('users').select('id').limit(1).execute();
  if (existing.length > 0) return null;
  const ctx = { ...services, actor: SYSTEM };
  const password = config.bootstrap.adminPassword ?? randomToken(12);
  await users.create(ctx, { email: ADMIN_EMAIL, name: 'Administrator', password, isAdmin: true });
  const { adminClientId, adminClientSecret } = config.bootstrap;
  const fixed = adminClientId && adminClientSecret ? { clientId: adminClientId, clientSecret: adminClientSecret } : undefined;
  const serviceKey = await serviceKeys.create(
    ctx,
    null,
    { name: 'bootstrap administrator' },
    { url: `${config.controlPlane.publicUrl}/management/v1`, tokenUrl: `${config.controlPlane.publicUrl}/oauth/token` },
    fixed,
  );
  const demo = options.demo ? await seedDemo(ctx, options.echoUrl, config.bootstrap.demoApiKey) : null;
  return { admin: { email: ADMIN_EMAIL, password }, serviceKey, demo };
}
