import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { hasLongerLines, isPlainText } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';

/** What goes into one email's MIME message. */
export interface MimeInput {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  /** The Message-ID header, angle brackets included. */
  messageId: string;
  date: Date;
}

export interface MimeMessage {
  /** The whole message (CRLF line ends), for SMTP DATA. */
  raw: Buffer;
  /** The SMTP envelope: MAIL FROM and RCPT TO. */
  envelope: { from: string; to: string[] };
}

/**
 * The MIME message of one email, built in memory: nodemailer's MimeNode writes the header
 * block (address parsing, RFC 2047 encoded words, folding), and the parts are assembled
 * here with nodemailer's non-streaming encoders. Why not nodemailer's own composer: it
 * builds every message through a tree of streams that emits a small chunk per header and
 * encoded line, which cost about 1 ms of CPU per 30 kB message here and as many socket
 * writes (bench:email-send); in memory it is a few string operations, and the relay reads
 * one chunk. The output is the same shape nodemailer makes: multipart/alternative with a
 * text part and an HTML part (text only without HTML), each 7bit when it is plain ASCII
 * in short lines, else quoted-printable (mostly Latin text) or base64.
 */
export function buildMimeMessage(input: MimeInput): MimeMessage {
  const boundary = `--_keel_${randomBytes(12).toString('hex')}`;
  const root = new MimeNode(input.html === null ? 'text/plain; charset=utf-8' : `multipart/alternative; boundary="${boundary}"`);
  root.setHeader('From', input.from);
  root.setHeader('To', input.to);
  root.setHeader('Subject', input.subject);
  root.setHeader('Message-ID', input.messageId);
  root.setHeader('Date', input.date.toUTCString().replace(/GMT/, '+0000'));
  for (const [key, value] of Object.entries(input.headers)) root.setHeader(key, value);
  let body: string;
  if (input.html === null) {
    const text = encodeBody(input.text);
    root.setHeader('Content-Transfer-Encoding', text.encoding);
    body = text.body;
  } else {
    body = [part(boundary, 'text/plain', input.text), part(boundary, 'text/html', input.html), `--${boundary}--\r\n`].join('');
  }
  const raw = Buffer.from(`${root.buildHeaders()}\r\n\r\n${body}`, 'utf8');
  return { raw, envelope: { from: bareAddress(input.from, 'from'), to: [bareAddress(input.to, 'to')] } };
}

function part(boundary: string, type: string, content: string): string {
  const { encoding, body } = encodeBody(content);
  return `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
}

/** The transfer encoding nodemailer would pick for a text part, and the encoded body (CRLF line ends). */
export function encodeBody(content: string): { encoding: '7bit' | 'quoted-printable' | 'base64'; body: string } {
  const text = BARE_LINE_END.test(content) ? content.replace(/\r\n|\r|\n/g, '\r\n') : content;
  // One native scan decides for printable ASCII (most of any rendered email).
  const ascii = PRINTABLE_ASCII.test(text);
  if ((ascii || isPlainText(text)) && !hasLongerLines(text, 76)) return { encoding: '7bit', body: text };
  if (ascii || mostlyLatin(text)) return { encoding: 'quoted-printable', body: quotedPrintable(text) };
  return { encoding: 'base64', body: Buffer.from(text, 'utf8').toString('base64').replace(/.{76}(?=.)/g, '$&\r\n') };
}

/** A CR not followed by LF, or an LF not preceded by CR. */
export const BARE_LINE_END = /\r(?!\n)|(?:^|[^\r])\n/;
const PRINTABLE_ASCII = /^[\t\r\n\x20-\x7e]*$/;
const HEX = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * Quoted-printable (RFC 2045 6.7) of text with CRLF line ends: "=", control characters and
 * every byte of a non-ASCII character escaped, a space or tab that ends a line escaped,
 * lines over 76 characters broken with a soft "=" break that never splits an escape. The
 * same rules as nodemailer's encoder, with native string searches instead of its
 * byte-by-byte loop (most of the text is copied as it is).
 */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (let line of text.split('\r\n')) {
    // eslint-disable-next-line no-control-regex
    line = line.replace(/[^\t\x20-\x3c\x3e-\x7e]/gu, (c) => {
      let escaped = '';
      for (const byte of Buffer.from(c, 'utf8')) escaped += HEX[byte];
      return escaped;
    });
    const last = line.charCodeAt(line.length - 1);
    if (last === 0x20 || last === 0x09) line = `${line.slice(0, -1)}${HEX[last]}`;
    while (line.length > 76) {
      const cut = line[74] === '=' ? 74 : line[73] === '=' ? 73 : 75;
      out.push(`${line.slice(0, cut)}=`);
      line = line.slice(cut);
    }
    out.push(line);
  }
  return out.join('\r\n');
}

/** nodemailer's rule: quoted-printable unless there are more non-Latin characters than Latin letters. */
function mostlyLatin(text: string): boolean {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin += 1;
    else if (c >= 0x80 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) other += 1;
  }
  return other <= latin;
}

function bareAddress(value: string, field: string): string {
  const [first] = addressparser(value, { flatten: true });
  if (!first?.address) throw new Error(`the ${field} address ${JSON.stringify(value)} holds no e-mail address`);
  return first.address;
}
