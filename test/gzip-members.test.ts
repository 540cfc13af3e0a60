/** Gzip members from reused deflate engines: each one complete, any file of them one gzip stream. */
import { randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as zlib from 'node:zlib';
import { crc32, GzipMembers, tableCrc32 } from '../src/gzip-members.js';
import { tempDir } from './support/isolation.js';

function batches(): Buffer[] {
  const text = (n: number) => Buffer.from('{"date":"2026-11-01","templateUri":"/api/v2/x"}\n'.repeat(n));
  // Empty, tiny, compressible, incompressible and larger than zlib's 16 KiB output chunk.
  return [
    Buffer.alloc(0),
    Buffer.from('a'),
    text(1),
    text(3000),
    randomBytes(70_000),
    text(1),
    Buffer.alloc(0),
  ];
}

describe('GzipMembers', () => {
  it('makes members that gunzip alone and together, with the right CRC and length', async () => {
    const gzip = new GzipMembers(6, 2);
    const input = batches();
    // Many at once over two engines: each member still holds only its own batch.
    const members = await Promise.all([...input, ...input].map((b) => gzip.member(b)));
    gzip.close();
    members.forEach((member, i) => {
      const batch = input[i % input.length] as Buffer;
      expect(zlib.gunzipSync(member).equals(batch)).toBe(true);
      expect(member.readUInt32LE(member.length - 8)).toBe(crc32(batch));
      expect(member.readUInt32LE(member.length - 4)).toBe(batch.length);
    });
    const file = path.join(tempDir('members'), 'all.json.gz');
    writeFileSync(file, Buffer.concat(members));
    const expected = Buffer.concat([...input, ...input]);
    expect(zlib.gunzipSync(Buffer.concat(members)).equals(expected)).toBe(true);
    // The system's gzip reads the file as one stream too.
    const test = spawnSync('gzip', ['-t', file], { encoding: 'utf8' });
    expect([test.status, test.stderr]).toEqual([0, '']); // no "trailing garbage" either
    expect(execFileSync('gzip', ['-dc', file], { maxBuffer: 1 << 24 }).equals(expected)).toBe(true);
  });

  it('compresses like zlib.gzip at the same level', async () => {
    const gzip = new GzipMembers(6, 1);
    const batch = Buffer.from('{"clientId":"c","requests":100,"status429":3}\n'.repeat(2000));
    const member = await gzip.member(batch);
    gzip.close();
    expect(member.length).toBeLessThanOrEqual(zlib.gzipSync(batch, { level: 6 }).length + 16);
  });

  it('crc32 matches zlib, by zlib.crc32 or by the table Node before 20.15 uses', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('123456789'), randomBytes(5000)]) {
      const member = zlib.gzipSync(data);
      const fromZlib = member.readUInt32LE(member.length - 8);
      expect(crc32(data)).toBe(fromZlib);
      expect(tableCrc32(data)).toBe(fromZlib);
    }
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the CRC-32 check value
  });

  it('after close, members fail instead of hanging', async () => {
    const gzip = new GzipMembers(6, 1);
    const first = gzip.member(randomBytes(200_000));
    const waiting = gzip.member(Buffer.from('x'));
    gzip.close();
    await expect(waiting).rejects.toThrow('closed');
    await expect(first).rejects.toThrow();
    await expect(gzip.member(Buffer.from('y'))).rejects.toThrow('closed');
  });
});
