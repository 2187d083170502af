import type { Client } from './control-plane.ts';

/** Creates an organization with a backend, an API, a published product with a locked plan. */
export async function seedCatalog(admin: Client, orgId: string, basePath = `/${orgId}-api`) {
  const must = <T>(r: { status: number; body: T }, status: number, what: string): T => {
    if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  must(await admin.post('/organizations', { id: orgId, name: orgId }), 201, 'organization');
  const backend = must(await admin.post(`/organizations/${orgId}/backends`, { name: 'main', targets: [{ url: 'http://127.0.0.1:9/' }] }), 201, 'backend') as any;
  const api = must(
    await admin.post(`/organizations/${orgId}/apis`, { name: 'Orders', basePath, backendId: backend.id, operations: [{ method: 'GET', path: '/orders/{id}' }] }),
    201,
    'api',
  ) as any;
  // Offered to the built-in developers group, so the organization's developers can see and subscribe to it.
  const groups = must(await admin.get(`/organizations/${orgId}/groups`), 200, 'groups') as any;
  const developers = groups.items.find((g: { name: string }) => g.name === 'developers').id;
  const product = must(await admin.post(`/organizations/${orgId}/products`, { name: 'Gold', state: 'published', apiIds: [api.id], groupIds: [developers] }), 201, 'product') as any;
  const plan = must(await admin.post(`/organizations/${orgId}/products/${product.id}/plans`, { name: 'Gold' }), 201, 'plan') as any;
  must(await admin.post(`/organizations/${orgId}/products/${product.id}/plans/${plan.id}/lock`), 200, 'lock');
  const app = must(await admin.post(`/organizations/${orgId}/applications`, { name: 'Mobile' }), 201, 'application') as any;
  return { backend, api, product, plan, app };
}
