import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ID_LENGTH = 12;
const SECRET_LENGTH = 32;

export type KeyPrefix = 'kw' | 'ka';

/** Random base62 text; rejection sampling keeps every character equally likely. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export interface GeneratedKey {
  id: string;
  key: string;
  hash: string;
}

/**
 * A key is `kw_<id>_<secret>` (write) or `ka_<id>_<secret>` (admin): the id finds the
 * row, the whole key's sha256 is what is stored. Only base62 characters, so it is safe
 * as a Basic-auth user name and in a shell.
 */
export function generateKey(prefix: KeyPrefix): GeneratedKey {
  const id = randomBase62(ID_LENGTH);
  const key = `${prefix}_${id}_${randomBase62(SECRET_LENGTH)}`;
  return { id, key, hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function parseKey(key: string): { prefix: KeyPrefix; id: string } | undefined {
  const match = /^(kw|ka)_([0-9A-Za-z]{12})_[0-9A-Za-z]{32}$/.exec(key);
  if (!match) return undefined;
  return { prefix: match[1] as KeyPrefix, id: match[2]! };
}

/** Constant-time comparison of two hex digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
