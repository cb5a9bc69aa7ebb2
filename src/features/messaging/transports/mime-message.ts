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
 * The MIME message of one email, built in memory: the header block written directly when
 * it is plain ASCII (plainHeaders), else by nodemailer's MimeNode (address parsing, RFC
 * 2047 encoded words, folding), and the parts encoded here. Why not nodemailer's own composer: it
 * builds every message through a tree of streams that emits a small chunk per header and
 * encoded line, which cost about 1 ms of CPU per 30 kB message here and as many socket
 * writes (bench:email-send); in memory it is a few string operations, and the relay reads
 * one chunk. The output is the same shape nodemailer makes: multipart/alternative with a
 * text part and an HTML part (text only without HTML), each 7bit when it is plain ASCII
 * in short lines, else quoted-printable (mostly Latin text) or base64.
 */
export function buildMimeMessage(input: MimeInput): MimeMessage {
  const boundary = `--_keel_${randomBytes(12).toString('hex')}`;
  const contentType = input.html === null ? 'text/plain; charset=utf-8' : `multipart/alternative; boundary="${boundary}"`;
  let body: string;
  let textEncoding: string | null = null;
  if (input.html === null) {
    const text = encodeBody(input.text);
    textEncoding = text.encoding;
    body = text.body;
  } else {
    body = [part(boundary, 'text/plain', input.text), part(boundary, 'text/html', input.html), `--${boundary}--\r\n`].join('');
  }
  const from = senderOf(input.from);
  const head = plainHeaders(input, from.header, contentType, textEncoding) ?? mimeNodeHeaders(input, contentType, textEncoding);
  const raw = Buffer.from(`${head}\r\n\r\n${body}`, 'utf8');
  return { raw, envelope: { from: from.address, to: [BARE_ADDRESS.test(input.to) ? input.to : bareAddress(input.to, 'to')] } };
}

/** nodemailer's header block: address parsing, RFC 2047 encoded words, folding. */
function mimeNodeHeaders(input: MimeInput, contentType: string, textEncoding: string | null): string {
  const root = new MimeNode(contentType);
  root.setHeader('From', input.from);
  root.setHeader('To', input.to);
  root.setHeader('Subject', input.subject);
  root.setHeader('Message-ID', input.messageId);
  root.setHeader('Date', dateOf(input.date));
  for (const [key, value] of Object.entries(input.headers)) root.setHeader(key, value);
  if (textEncoding) root.setHeader('Content-Transfer-Encoding', textEncoding);
  return root.buildHeaders();
}

const dateOf = (date: Date) => date.toUTCString().replace(/GMT/, '+0000');
const BARE_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;
// Printable ASCII that no reader could take for an encoded word (RFC 2047 "=?").
const PLAIN_VALUE = /^(?:[\x20-\x3c\x3e-\x7e]|=(?!\?))*$/;

/**
 * The header block written directly when nothing in it needs encoding (what nearly every
 * send is: an ASCII subject, a bare recipient address, List-Unsubscribe): MimeNode costs
 * about 0.1 ms per message for the same lines. Long lines are folded at a space (RFC 5322
 * 2.2.3); anything else (a non-ASCII subject, a display name on To) goes to MimeNode.
 */
function plainHeaders(input: MimeInput, from: string, contentType: string, textEncoding: string | null): string | null {
  if (!BARE_ADDRESS.test(input.to) || !PLAIN_VALUE.test(input.subject) || !PLAIN_VALUE.test(input.messageId)) return null;
  const lines = [`Content-Type: ${contentType}`, from, `To: ${input.to}`, `Subject: ${input.subject}`, `Message-ID: ${input.messageId}`, `Date: ${dateOf(input.date)}`];
  for (const [key, value] of Object.entries(input.headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(key) || !PLAIN_VALUE.test(value)) return null;
    lines.push(`${key}: ${value}`);
  }
  if (textEncoding) lines.push(`Content-Transfer-Encoding: ${textEncoding}`);
  lines.push('MIME-Version: 1.0');
  const folded = lines.map(foldHeader);
  return folded.some((l) => l === null) ? null : folded.join('\r\n');
}

/** Folds a header line longer than 76 characters before spaces; null when it cannot (no space, over 998). */
function foldHeader(line: string): string | null {
  if (line.length <= 76) return line;
  const nameEnd = line.indexOf(':') + 2;
  let out = '';
  let rest = line;
  while (rest.length > 76) {
    let at = rest.lastIndexOf(' ', 76);
    if (at <= (out ? 0 : nameEnd)) at = rest.indexOf(' ', out ? 1 : nameEnd + 1);
    if (at <= 0) break;
    out += `${rest.slice(0, at)}\r\n`;
    rest = rest.slice(at);
  }
  out += rest;
  return out.split('\r\n').every((l) => l.length <= 998 && /\S/.test(l)) ? out : null;
}

/** The From line and envelope sender of a sender string, kept: a workspace sends as one sender. */
const senders = new Map<string, { header: string; address: string }>();

function senderOf(from: string): { header: string; address: string } {
  let sender = senders.get(from);
  if (!sender) {
    const address = bareAddress(from, 'from');
    const node = new MimeNode('text/plain');
    node.setHeader('From', from);
    const header = node.buildHeaders().split(/\r\n(?=\S)/).find((l) => /^From:/i.test(l));
    if (!header) throw new Error(`the from address ${JSON.stringify(from)} gives no From header`);
    sender = { header, address };
    if (senders.size >= 1_000) senders.clear();
    senders.set(from, sender);
  }
  return sender;
}

function part(boundary: string, type: string, content: string): string {
  const { encoding, body } = encodeBody(content);
  return `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
}

/** The transfer encoding nodemailer would pick for a text part, and the encoded body (CRLF line ends). */
export function encodeBody(content: string): { encoding: '7bit' | 'quoted-printable' | 'base64'; body: string } {
  const text = BARE_LINE_END.test(content) ? content.replace(/\r\n|\r|\n/g, '\r\n') : content;
  // One native scan decides for printable ASCII (most of any rendered email).
  const odd = text.search(NOT_PRINTABLE_ASCII);
  const ascii = odd === -1;
  // isPlainText differs from printable ASCII by DEL only: scan again only when DEL came first.
  if ((ascii || (text.charCodeAt(odd) === 0x7f && isPlainText(text))) && !hasLongerLines(text, 76)) return { encoding: '7bit', body: text };
  if (ascii || mostlyLatin(text)) return { encoding: 'quoted-printable', body: quotedPrintable(text) };
  return { encoding: 'base64', body: Buffer.from(text, 'utf8').toString('base64').replace(/.{76}(?=.)/g, '$&\r\n') };
}

/** A CR not followed by LF, or an LF not preceded by CR. */
export const BARE_LINE_END = /\r(?!\n)|(?:^|[^\r])\n/;
const NOT_PRINTABLE_ASCII = /[^\t\r\n\x20-\x7e]/;
const QP_UNSAFE = /[^\t\r\n\x20-\x3c\x3e-\x7e]/gu;

const HEX = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * Quoted-printable (RFC 2045 6.7) of text with CRLF line ends: "=", control characters and
 * every byte of a non-ASCII character escaped, a space or tab that ends a line escaped,
 * lines over 76 characters broken with a soft "=" break that never splits an escape. The
 * same rules as nodemailer's encoder, with native string searches instead of its
 * byte-by-byte loop (most of the text is copied as it is).
 */
export function quotedPrintable(text: string): string {
  let escaped = text.search(QP_UNSAFE) === -1 ? text : text.replace(QP_UNSAFE, (c) => {
    let hex = '';
    for (const byte of Buffer.from(c, 'utf8')) hex += HEX[byte];
    return hex;
  });
  escaped = escaped.replace(/[ \t]\r\n/g, (c) => `${HEX[c.charCodeAt(0)]}\r\n`);
  const end = escaped.charCodeAt(escaped.length - 1);
  if (end === 0x20 || end === 0x09) escaped = `${escaped.slice(0, -1)}${HEX[end]}`;
  // Lines found with indexOf: a regex such as /[^\r\n]{77,}/ backtracks at every position.
  const parts: string[] = [];
  let copied = 0;
  for (let start = 0; start < escaped.length;) {
    const at = escaped.indexOf('\r\n', start);
    const stop = at === -1 ? escaped.length : at;
    if (stop - start > 76) {
      parts.push(escaped.slice(copied, start));
      let line = escaped.slice(start, stop);
      while (line.length > 76) {
        const cut = line[74] === '=' ? 74 : line[73] === '=' ? 73 : 75;
        parts.push(line.slice(0, cut), '=\r\n');
        line = line.slice(cut);
      }
      parts.push(line);
      copied = stop;
    }
    start = stop + 2;
  }
  if (copied === 0) return escaped;
  parts.push(escaped.slice(copied));
  return parts.join('');
}

/** nodemailer's rule: quoted-printable unless there are more non-Latin characters than Latin letters. */
function mostlyLatin(text: string): boolean {
  // The others counted natively; the letters only until there are as many (a few, in HTML).
  // eslint-disable-next-line no-control-regex
  const other = text.match(/[^\x00-\x7f]|[\x00-\x08\x0b\x0c\x0e-\x1f]/g)?.length ?? 0;
  let latin = 0;
  for (let i = 0; i < text.length && latin < other; i += 1) {
    const c = text.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin += 1;
  }
  return other <= latin;
}

function bareAddress(value: string, field: string): string {
  const [first] = addressparser(value, { flatten: true });
  if (!first?.address) throw new Error(`the ${field} address ${JSON.stringify(value)} holds no e-mail address`);
  return first.address;
}
