import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSafePath, parseTarget, queryParam, stripSegments, upstreamPath } from './request-path.ts';

describe('request path handling', () => {
  it('splits origin-form and absolute-form targets without decoding', () => {
    assert.deepEqual(parseTarget('/a%20b?x=%2F'), { path: '/a%20b', query: 'x=%2F', host: null });
    assert.deepEqual(parseTarget('http://h.example:8080/p?q'), { path: '/p', query: 'q', host: 'h.example:8080' });
    assert.deepEqual(parseTarget('http://h.example'), { path: '/', query: null, host: 'h.example' });
    assert.equal(parseTarget('*'), null);
    assert.equal(parseTarget('example.com:443'), null);
  });

  it('refuses dot segments, encoded slashes and backslashes', () => {
    for (const bad of ['/a/..', '/a/../b', '/a/%2e%2E/b', '/a/.%2e', '/a/./b', '/a%2fb', '/a%5Cb', '/a\\b', '/a%00']) assert.equal(isSafePath(bad), false, bad);
    for (const good of ['/', '/a/b', '/a/file.json', '/a/..b', '/a/b..', '/a/%20', '/a/.well-known']) assert.equal(isSafePath(good), true, good);
  });

  it('strips base path segments and joins the target base path', () => {
    assert.equal(stripSegments('/orders/v2/7', 2), '/7');
    assert.equal(stripSegments('/%6Frders/7', 1), '/7');
    assert.equal(stripSegments('/orders', 1), '');
    assert.equal(stripSegments('/orders/', 1), '/');
    assert.equal(upstreamPath('', '', null), '/');
    assert.equal(upstreamPath('', '', 'q=1'), '/?q=1');
    assert.equal(upstreamPath('/v2', '', null), '/v2');
    assert.equal(upstreamPath('/v2', '/7', 'a=b'), '/v2/7?a=b');
  });

  it('reads a query parameter by decoded name', () => {
    assert.equal(queryParam('a=1&api%2Dversion=2%20x', 'api-version'), '2 x');
    assert.equal(queryParam('flag', 'flag'), '');
    assert.equal(queryParam(null, 'x'), null);
    assert.equal(queryParam('a=1', 'b'), null);
  });
});
