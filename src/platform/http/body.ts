import { gunzipSync, inflateSync } from 'node:zlib';
import { AppError } from '../errors.ts';

/**
 * Reads a request body, refusing it with `too_large` as soon as it passes `limit` bytes:
 * before any parsing, and after decompression too, so a small gzip bomb cannot expand
 * into memory. Accepts Content-Encoding gzip, deflate or identity.
 */
export async function readBody(request: Request, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw tooLarge(limit, `Content-Length is ${declared} bytes`);
  }
  const raw = await readLimited(request, limit);
  const encoding = (request.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip' && encoding !== 'deflate') {
    throw new AppError('unsupported_media_type', `Content-Encoding "${encoding}" is not supported; use gzip, deflate or none`);
  }
  try {
    return encoding === 'gzip' ? gunzipSync(raw, { maxOutputLength: limit }) : inflateSync(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw tooLarge(limit, 'the decompressed body is larger');
    }
    throw new AppError('invalid', `Body is not valid ${encoding} data: ${(error as Error).message}`);
  }
}

async function readLimited(request: Request, limit: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit, 'the body is larger');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(limit: number, what: string): AppError {
  return new AppError('too_large', `Request body too large: ${what} than the limit of ${limit} bytes`, { limit });
}

/** Parses a JSON body into a value, with an error that says where the JSON broke. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new AppError('invalid', 'Request body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid', `Malformed JSON: ${(error as Error).message}`);
  }
}
