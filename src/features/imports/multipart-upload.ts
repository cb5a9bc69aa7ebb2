import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import busboy from 'busboy';
import { AppError } from '../../platform/errors.ts';

export interface UploadedFile {
  fileName: string;
  /** The file's bytes as they arrive; throws `too_large` past the limit. */
  stream: AsyncIterable<Buffer>;
}

/**
 * Reads a multipart/form-data upload as a stream: the text fields that come before the
 * `file` part, then hands the file to `consume` while it is still arriving. Nothing is
 * buffered beyond busboy's own small window, so the upload limit can be far larger than
 * memory. Fields after the file are refused: they would arrive too late to apply.
 */
export async function readMultipartUpload<T>(request: Request, limit: number, consume: (fields: Record<string, string>, file: UploadedFile) => Promise<T>): Promise<T> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    throw new AppError('unsupported_media_type', `Content-Type must be multipart/form-data with a "file" part, got ${JSON.stringify(type)}`);
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError('too_large', `Upload too large: Content-Length is ${declared} bytes, the import limit is ${limit} bytes (KEEL_IMPORT_MAX_BYTES)`, { limit });
  }
  if (!request.body) throw new AppError('invalid', 'Request body is empty: expected a multipart upload with a "file" part', { field: 'file' });
  const parser = busboy({ headers: { 'content-type': type }, limits: { fileSize: limit, files: 1, fields: 20, fieldSize: 64 * 1024 } });
  const fields: Record<string, string> = {};
  return new Promise<T>((resolve, reject) => {
    let started = false;
    parser.on('field', (name, value) => {
      if (started) reject(new AppError('invalid', `Form field ${JSON.stringify(name)} comes after the file; send the fields first`, { field: name }));
      else fields[name] = value;
    });
    parser.on('file', (name, file, info) => {
      if (name !== 'file' || started) {
        file.resume();
        return;
      }
      started = true;
      // Whatever the outcome, read the rest of the upload (discarding it): a client that is
      // still sending would otherwise never see the response.
      const drain = () => file.resume();
      // Through a promise, so that a synchronous throw (a bad field) is a rejection too.
      Promise.resolve().then(() => consume(fields, { fileName: info.filename || 'upload.csv', stream: guardLimit(file, limit) })).then(
        (value) => (drain(), resolve(value)),
        (error: unknown) => (drain(), reject(error)),
      );
    });
    parser.on('error', (error) => reject(new AppError('invalid', `Malformed multipart body: ${(error as Error).message}`, { field: 'body' })));
    parser.on('close', () => {
      if (!started) reject(new AppError('invalid', 'The upload has no "file" part', { field: 'file' }));
    });
    Readable.fromWeb(request.body as unknown as NodeWebStream<Uint8Array>).on('error', (e) => parser.destroy(e)).pipe(parser);
  });
}

async function* guardLimit(file: Readable & { truncated?: boolean }, limit: number): AsyncGenerator<Buffer> {
  let truncated = false;
  file.once('limit', () => (truncated = true));
  for await (const chunk of file) yield chunk as Buffer;
  if (truncated || file.truncated) {
    throw new AppError('too_large', `Upload too large: the file is larger than the import limit of ${limit} bytes (KEEL_IMPORT_MAX_BYTES); rows before the limit were imported`, { limit });
  }
}
