import type { Ctx } from '../services/context.ts';
import { apis } from '../services/apis.ts';
import { applications } from '../services/applications.ts';
import { backends } from '../services/backends.ts';
import { contracts } from '../services/contracts.ts';
import { organizations } from '../services/organizations.ts';
import { lockPlan, plans } from '../services/plans.ts';
import { policies } from '../services/policies.ts';
import { products } from '../services/products.ts';

export const DEMO_ORG = 'demo';

export interface DemoResult {
  organizationId: string;
  apiKey: string;
  applicationId: string;
}

/**
 * The demo organization every new installation starts with (as Azure API Management seeds every
 * instance): an Echo API served by Portico itself, Starter and Unlimited products, and a demo
 * application with an active contract on Starter.
 */
export async function seedDemo(ctx: Ctx, echoUrl: string, demoApiKey: string | null): Promise<DemoResult> {
  const org = DEMO_ORG;
  await organizations.create(ctx, { id: org, name: 'Demo', description: 'Sample APIs, products and an application to try Portico with' });
  const backend = await backends.create(ctx, org, { name: 'echo', description: 'Echo service built into Portico', targets: [{ url: echoUrl }] });
  const echo = await apis.create(ctx, org, {
    name: 'Echo API',
    description: 'Answers with the request it received: method, path, query, headers and body.',
    basePath: '/echo',
    backendId: backend.entity.id,
    visibility: 'private',
  });
  // A published product over the Echo API with one plan; `limits` become the plan's policies.
  const offer = async (name: string, description: string, approval: 'auto' | 'manual', planDescription: string, limits: { type: string; config: Record<string, unknown> }[]) => {
    const product = await products.create(ctx, org, { name, description, access: 'protected', approval, state: 'published', apiIds: [echo.entity.id] });
    const plan = await plans.create(ctx, org, { productId: product.entity.id, name, description: planDescription });
    for (const [position, limit] of limits.entries()) await policies.create(ctx, org, { scope: { type: 'plan', id: plan.entity.id }, ...limit, position });
    await lockPlan(ctx, org, plan.entity.id);
    return { productId: product.entity.id, planId: plan.entity.id };
  };
  const starter = await offer('Starter', 'Try the APIs: 5 calls per minute, 100 per week.', 'auto', '5 calls/minute, 100 calls/week', [
    { type: 'rate-limit', config: { limit: 5, per: 'minute' } },
    { type: 'quota', config: { limit: 100, period: 'week' } },
  ]);
  await offer('Unlimited', 'No limits; subscriptions need an administrator’s approval.', 'manual', 'No limits', []);
  const app = await applications.create(ctx, org, { name: 'Demo application', description: 'Subscribed to Starter' }, demoApiKey ? { primaryKey: demoApiKey } : {});
  await contracts.create(ctx, org, { applicationId: app.application.id, ...starter });
  const keys = await applications.revealKeys(ctx, org, app.application.id);
  return { organizationId: org, apiKey: keys.primary, applicationId: app.application.id };
}
