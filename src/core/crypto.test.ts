import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newMasterKey, safeEqual, Sealer, sha256 } from './crypto.ts';

/** Flips one character of a base64url string to another valid base64url character. */
function flip(part: string, at = 0): string {
  const c = part[at] === 'A' ? 'B' : 'A';
  return part.slice(0, at) + c + part.slice(at + 1);
}

describe('Sealer', () => {
  const sealer = new Sealer(newMasterKey());

  it('opens what it sealed, including empty and non-ASCII text', () => {
    for (const plain of ['pk_secret-value', '', 'clé secrète ✓ 🔑', 'x'.repeat(100_000)]) {
      assert.equal(sealer.open(sealer.seal(plain)), plain);
    }
  });

  it('seals in the v1.<iv>.<tag>.<data> format without the plain text', () => {
    const sealed = sealer.seal('pk_visible_marker');
    const parts = sealed.split('.');
    assert.equal(parts.length, 4);
    assert.equal(parts[0], 'v1');
    assert.equal(Buffer.from(parts[1]!, 'base64url').length, 12);
    assert.equal(Buffer.from(parts[2]!, 'base64url').length, 16);
    assert.ok(!sealed.includes('pk_visible_marker'));
  });

  it('uses a fresh IV each time: the same text seals differently', () => {
    assert.notEqual(sealer.seal('same'), sealer.seal('same'));
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const [v, iv, tag, data] = sealer.seal('do not touch').split('.') as [string, string, string, string];
    assert.throws(() => sealer.open([v, iv, tag, flip(data)].join('.')));
    assert.throws(() => sealer.open([v, iv, flip(tag), data].join('.')));
    assert.throws(() => sealer.open([v, flip(iv), tag, data].join('.')));
  });

  it('refuses values that are not sealed or of another version', () => {
    assert.throws(() => sealer.open('plain text'), /Not a sealed value/);
    const [, iv, tag, data] = sealer.seal('x').split('.');
    assert.throws(() => sealer.open(['v2', iv, tag, data].join('.')), /Not a sealed value/);
  });

  it('fails to open with another key', () => {
    const sealed = sealer.seal('secret');
    assert.throws(() => new Sealer(newMasterKey()).open(sealed));
  });

  it('refuses a master key that is not 32 bytes', () => {
    assert.throws(() => new Sealer(Buffer.alloc(16).toString('base64')), /32 bytes/);
    assert.throws(() => new Sealer(''), /32 bytes/);
  });

  it('generates distinct 32-byte master keys', () => {
    const a = newMasterKey();
    assert.equal(Buffer.from(a, 'base64').length, 32);
    assert.notEqual(a, newMasterKey());
  });
});

describe('sha256', () => {
  it('returns the hex digest', () => {
    assert.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('safeEqual', () => {
  it('is true for equal strings only', () => {
    assert.equal(safeEqual('secret', 'secret'), true);
    assert.equal(safeEqual('', ''), true);
    assert.equal(safeEqual('secret', 'secreT'), false);
    assert.equal(safeEqual('secret', 'secret2'), false);
    assert.equal(safeEqual('', 'x'), false);
  });
});
