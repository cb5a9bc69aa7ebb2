import { describe, expect, it } from 'vitest';
import { WorkspaceCache } from './workspace-cache.ts';

const db = { isTransaction: false };
const trx = { isTransaction: true };

describe('WorkspaceCache', () => {
  let time = 0;
  const clock = () => time;

  it('serves a value for the TTL, then reads again', async () => {
    const cache = new WorkspaceCache<number>(2_000, clock);
    let reads = 0;
    const load = async () => ++reads;
    time = 0;
    expect(await cache.get(db, 'w1', load)).toBe(1);
    time = 1_999;
    expect(await cache.get(db, 'w1', load)).toBe(1);
    time = 2_000;
    expect(await cache.get(db, 'w1', load)).toBe(2);
  });

  it('drops every key of a workspace on invalidate, and only that workspace', async () => {
    const cache = new WorkspaceCache<string>(2_000, clock);
    time = 0;
    let version = 'v1';
    const load = async () => version;
    await cache.get(db, 'w1:welcome', load);
    await cache.get(db, 'w2:welcome', load);
    version = 'v2';
    cache.invalidate('w1');
    expect(await cache.get(db, 'w1:welcome', load)).toBe('v2');
    expect(await cache.get(db, 'w2:welcome', load)).toBe('v1');
  });

  it('keeps nothing read inside a transaction, nor a failed read, and keeps databases apart', async () => {
    const cache = new WorkspaceCache<number>(2_000, clock);
    time = 0;
    let reads = 0;
    const load = async () => ++reads;
    expect(await cache.get(trx, 'w1', load)).toBe(1);
    expect(await cache.get(trx, 'w1', load)).toBe(2);
    await expect(cache.get(db, 'w1', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get(db, 'w1', load)).toBe(3);
    expect(await cache.get({ isTransaction: false }, 'w1', load)).toBe(4);
    expect(await cache.get(db, 'w1', load)).toBe(3);
  });
});
