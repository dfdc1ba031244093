import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { deltaSizes, parseEntryHead } from '../../src/source/objects.ts';
import { applyDelta, indexPack } from '../../src/source/pack-index.ts';
import { candidateRefs } from '../../src/source/refs.ts';
import { pickServerRef } from '../../src/source/remote.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('source: ref names in git order', () => {
  it('a bare name tries refs/<name>, then tags, then branches, then remotes (git rev-parse)', () => {
    assert.deepEqual(candidateRefs('v1.0'), [
      'refs/v1.0',
      'refs/tags/v1.0',
      'refs/heads/v1.0',
      'refs/remotes/v1.0',
      'refs/remotes/v1.0/HEAD',
    ]);
    assert.deepEqual(candidateRefs('refs/heads/v1.0'), ['refs/heads/v1.0']);
    assert.deepEqual(candidateRefs('HEAD'), ['HEAD']);
    assert.equal(candidateRefs('main', 'local').at(-1), 'refs/remotes/origin/main');
  });

  it('picks the advertised tag over a branch of the same name, and either by its full name', () => {
    const refs = [
      { ref: 'HEAD', oid: C, target: 'refs/heads/main' },
      { ref: 'refs/heads/main', oid: C },
      { ref: 'refs/heads/v1.0', oid: A },
      { ref: 'refs/tags/v1.0', oid: B },
    ];
    assert.equal(pickServerRef(refs, 'v1.0')?.oid, B);
    assert.equal(pickServerRef(refs, 'refs/heads/v1.0')?.oid, A);
    assert.equal(pickServerRef(refs, 'heads/v1.0')?.oid, A);
    assert.equal(pickServerRef(refs, 'HEAD')?.target, 'refs/heads/main');
    assert.equal(pickServerRef(refs.slice(1), 'HEAD'), undefined, 'a dangling HEAD is not advertised');
    assert.equal(pickServerRef(refs, 'nope'), undefined);
  });
});

/** A pack entry head: 0x80 | type<<4 | (size & 15), then the size 7 bits at a time. */
function entryHead(type: number, size: number): number[] {
  const head = [(size >= 16 ? 0x80 : 0) | (type << 4) | (size & 15)];
  for (let rest = Math.floor(size / 16); rest > 0; rest = Math.floor(rest / 128)) {
    head.push((rest & 0x7f) | (rest >= 128 ? 0x80 : 0));
  }
  return head;
}

describe('source: pack entry headers and deltas', () => {
  it('reads type and size from a pack entry head without the data', () => {
    const size = 1024 * 1024 * 1024;
    const head = entryHead(3, size);
    const entry = parseEntryHead(Uint8Array.from(head), 0, 100);
    assert.deepEqual(entry, { kind: 3, size, dataStart: 100 + head.length });
  });

  it('applies copy and insert instructions, and names the result size up front', () => {
    const base = Buffer.from('hello, world');
    // base size 12, result size 11: copy "hello" (offset 0, size 5), insert " git!!"
    const delta = Buffer.from([12, 11, 0x90, 5, 6, ...Buffer.from(' git!!')]);
    assert.deepEqual(deltaSizes(delta), { base: 12, result: 11, at: 2 });
    assert.equal(applyDelta(delta, base).toString(), 'hello git!!');
    assert.throws(() => applyDelta(Buffer.from([12, 99, 0x90, 50]), base), /a delta copies out of range/);
    assert.throws(() => applyDelta(delta, Buffer.from('short')), /a delta names a base of another size/);
  });

  it('refuses a pack whose headers add up to more than 4 GiB before inflating any of it', async () => {
    const header = Buffer.alloc(12);
    header.write('PACK', 0, 'latin1');
    header.writeUInt32BE(2, 4);
    header.writeUInt32BE(1, 8);
    // a blob header claiming 5 GiB over 9 bytes of data: inflating would only find a mismatch
    const body = Buffer.concat([header, Buffer.from(entryHead(3, 5 * 1024 ** 3)), deflateSync('too small')]);
    const pack = Buffer.concat([body, createHash('sha1').update(body).digest()]);
    await assert.rejects(indexPack(pack), {
      code: 'E_GIT_TOO_LARGE',
      message: 'the fetch holds more than 4 GiB once inflated; bosun refuses it before inflating it',
    });
  });
});
