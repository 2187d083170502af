import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sealer, newMasterKey } from '../../src/core/crypto.ts';
import { headerSafe } from '../../src/gateway/access.ts';
import { signedInMember, startTestPortico, type TestPortico } from '../helpers/control-plane.ts';

describe('hardening (review findings)', () => {
  let p: TestPortico;
  before(async () => {
    p = await startTestPortico('sqlite');
    await p.admin.post('/organizations', { id: 'hard', name: 'Hard' });
  });
  after(async () => p.close());

  it('hides the OpenAPI export of an API a developer may not see', async () => {
    const backend = await p.admin.post('/organizations/hard/backends', { name: 'b', targets: [{ url: 'http://127.0.0.1:9' }] });
    const api = await p.admin.post('/organizations/hard/apis', { name: 'Secret', basePath: '/hard-secret', backendId: backend.body.id, operations: [{ method: 'GET', path: '/x' }] });
    assert.equal((await p.admin.get(`/organizations/hard/apis/${api.body.id}/openapi`)).status, 200);
    const dev = await signedInMember(p, 'hard', 'dev-hard@example.com');
    assert.equal((await dev.client.get(`/organizations/hard/apis/${api.body.id}/openapi`)).status, 404);
  });

  it('refuses to let the last owner give up ownership', async () => {
    const owner = await signedInMember(p, 'hard', 'owner-hard@example.com', 'owner');
    // The organization was created by a service key: this member is its only owner.
    const demote = await owner.client.put(`/organizations/hard/members/${owner.id}`, { role: 'admin' });
    assert.equal(demote.status, 409, JSON.stringify(demote.body));
    assert.equal(demote.body.code, 'PORTICO_IN_USE');
  });

  it('needs the current password to change one’s own password', async () => {
    const user = await signedInMember(p, 'hard', 'pw-hard@example.com');
    const without = await user.client.patch(`/users/${user.id}`, { password: 'a brand new password' });
    assert.equal(without.status, 401);
    const wrong = await user.client.patch(`/users/${user.id}`, { password: 'a brand new password', currentPassword: 'not it at all' });
    assert.equal(wrong.status, 401);
    const right = await user.client.patch(`/users/${user.id}`, { password: 'a brand new password', currentPassword: 'a long enough password' });
    assert.equal(right.status, 200, JSON.stringify(right.body));
  });

  it('answers malformed percent-encoding in a session cookie or Basic credentials with 401, not 500', async () => {
    const cookie = await fetch(`${p.api}/me`, { headers: { cookie: 'portico_session=%E0%A4%A' } });
    assert.equal(cookie.status, 401);
    const basic = await fetch(`${p.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('%E0:%zz').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(basic.status, 401);
    assert.equal(((await basic.json()) as { error: string }).error, 'invalid_client');
  });

  it('does not hand a deleted organization’s audit trail to whoever creates the same id again', async () => {
    await p.admin.post('/organizations', { id: 'reused', name: 'First tenant' });
    await p.admin.post('/organizations/reused/named-values', { name: 'first-tenant-setting', value: 'x' });
    await p.admin.delete(`/organizations/reused/named-values/${(await p.admin.get('/organizations/reused/named-values')).body.items[0].id}`);
    assert.equal((await p.admin.delete('/organizations/reused')).status, 204);
    await p.admin.post('/organizations', { id: 'reused', name: 'Second tenant' });
    const audit = await p.admin.get('/organizations/reused/audit');
    assert.deepEqual(audit.body.items.map((e: { entityType: string; action: string }) => `${e.action} ${e.entityType}`), ['create organization']);
  });

  it('refuses an analytics batch without the gateway token before reading its body', async () => {
    const res = await fetch(`${p.url}/gateway/v1/analytics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"not":"even valid for the schema"}' });
    assert.equal(res.status, 401);
  });

  it('refuses a sealed value whose GCM tag was truncated', () => {
    const sealer = new Sealer(newMasterKey());
    const [v, iv, tag, data] = sealer.seal('secret').split('.');
    assert.throws(() => sealer.open([v, iv, tag!.slice(0, 6), data].join('.')));
  });

  it('keeps identity header values visible ASCII whatever the plan name', () => {
    assert.equal(headerSafe('Premium ★ 100%'), 'Premium %E2%98%85 100%25');
    assert.equal(headerSafe('Gold'), 'Gold');
  });
});
