import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { quotedPrintable, buildMimeMessage, encodeBody, type MimeInput } from './mime-message.ts';

const base: MimeInput = {
  from: '"Acme News" <news@acme.example>',
  to: 'ada@example.com',
  subject: 'Hello',
  text: 'Hi there',
  html: '<p>Hi there</p>',
  headers: { 'List-Unsubscribe': '<mailto:u@acme.example?subject=unsubscribe%20abc>, <https://keel.example/u/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  messageId: '<m-1@acme.example>',
  date: new Date('2026-12-04T10:00:00Z'),
};

/** RFC 2045 decoding (soft breaks, =XX), for checking the encoder. */
const decodeQuotedPrintable = (qp: string) => {
  const unwrapped = qp.replace(/=\r\n/g, '');
  expect(unwrapped).toMatch(/^(?:[\t\r\n\x20-\x3c\x3e-\x7e]|=[0-9A-F]{2})*$/);
  const bytes: number[] = [];
  for (let i = 0; i < unwrapped.length; i += 1) {
    if (unwrapped[i] === '=') {
      bytes.push(parseInt(unwrapped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(unwrapped.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
};

const parse = async (input: MimeInput) => simpleParser(buildMimeMessage(input).raw);

describe('MIME message built in memory', () => {
  it('has the headers, both parts and the envelope a relay and a mail client expect', async () => {
    const built = buildMimeMessage(base);
    expect(built.envelope).toEqual({ from: 'news@acme.example', to: ['ada@example.com'] });
    const raw = built.raw.toString('utf8');
    expect(raw).not.toMatch(/[^\r]\n/);
    const mail = await simpleParser(built.raw);
    expect(mail.from?.value).toEqual([{ name: 'Acme News', address: 'news@acme.example' }]);
    expect(mail.to && 'text' in mail.to ? mail.to.text : null).toBe('ada@example.com');
    expect(mail.subject).toBe('Hello');
    expect(mail.messageId).toBe('<m-1@acme.example>');
    expect(mail.date?.toISOString()).toBe('2026-12-04T10:00:00.000Z');
    expect(mail.headers.get('mime-version')).toBe('1.0');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r\n\s+/g, ' ')).toBe(`List-Unsubscribe: ${base.headers['List-Unsubscribe']}`);
    expect(mail.text).toBe('Hi there');
    expect(mail.html).toBe('<p>Hi there</p>');
    expect(raw).toMatch(/Content-Type: multipart\/alternative;\s+boundary="--_keel_[0-9a-f]{24}"/);
  });

  it('encodes non-ASCII subjects and names, and folds long headers, as RFC 2047 and 5322 say', async () => {
    const subject = `Grüße, ${'a very long subject line '.repeat(6)}— 日本語 ✓`;
    const built = buildMimeMessage({ ...base, from: '"Müller, Jörg" <joerg@acme.example>', subject });
    const head = built.raw.toString('utf8').split('\r\n\r\n')[0]!;
    expect(head.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect(head).toMatch(/Subject: =\?UTF-8\?/);
    const mail = await simpleParser(built.raw);
    expect(mail.subject).toBe(subject);
    expect(mail.from?.value).toEqual([{ name: 'Müller, Jörg', address: 'joerg@acme.example' }]);
  });

  it('picks 7bit for short plain ASCII, quoted-printable for long or accented Latin text, base64 for mostly non-Latin text', () => {
    expect(encodeBody('Hi\nthere')).toEqual({ encoding: '7bit', body: 'Hi\r\nthere' });
    const long = encodeBody(`<div style="color:#333">${'x'.repeat(200)}</div>`);
    expect(long.encoding).toBe('quoted-printable');
    expect(long.body.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    expect(encodeBody('Grüße aus Köln').encoding).toBe('quoted-printable');
    const cjk = encodeBody('日本語のメールです。'.repeat(20));
    expect(cjk.encoding).toBe('base64');
    expect(cjk.body.split('\r\n').every((line) => line.length <= 76)).toBe(true);
  });

  it('keeps a text-only email single-part', async () => {
    const raw = buildMimeMessage({ ...base, html: null, text: 'Only text, Grüße' }).raw.toString('utf8');
    expect(raw).toMatch(/Content-Type: text\/plain; charset=utf-8/);
    expect(raw).not.toMatch(/multipart/);
    const mail = await parse({ ...base, html: null, text: 'Only text, Grüße' });
    expect(mail.text).toBe('Only text, Grüße');
    expect(mail.html).toBe(false);
  });

  it('refuses a From without an address, naming it', () => {
    expect(() => buildMimeMessage({ ...base, from: 'Acme News' })).toThrow('the from address "Acme News" holds no e-mail address');
  });

  it('round-trips any subject, text and HTML through a real parser (bare CR/LF, dots at line starts, long lines, any Unicode)', async () => {
    const content = fc.string({ unit: 'grapheme', maxLength: 300 }).map((s) => s.replace(/\r\n|\r/g, '\n'));
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 120 }), content, content, async (subject, text, html) => {
        const cleanSubject = subject.replace(/[\r\n\t]/g, ' ').replace(/\s+/g, ' ').trim();
        const mail = await parse({ ...base, subject: cleanSubject, text: `.${text}\n.\nend`, html: `<p>${html}</p>` });
        expect(mail.subject ?? '').toBe(cleanSubject);
        expect((mail.text ?? '').replace(/\r\n/g, '\n')).toBe(`.${text}\n.\nend`.replace(/\n+$/, ''));
        expect(String(mail.html).replace(/\r\n/g, '\n')).toBe(`<p>${html}</p>`);
      }),
      { numRuns: 200 },
    );
  });

  it('quoted-printable: lines of at most 76, no escape split, decodes to the text (trailing blanks, "=", long lines, any Unicode)', () => {
    const ascii = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'b', '=', ' ', '\t', '.', '<', '"', '3', 'D', '%', '\u0001', '\u00b7', '\u00e9', '\r\n', 'x'.repeat(40)), fc.string({ unit: 'grapheme', maxLength: 3 })), maxLength: 200 }).map((t) => t.replace(/\r\n|\r|\n/g, '\r\n'));
    fc.assert(
      fc.property(ascii, (text) => {
        const encoded = quotedPrintable(text);
        expect(encoded.split('\r\n').every((line) => line.length <= 76 && !/[ \t]$/.test(line) && !/=.?$/.test(line.replace(/=$/, '')))).toBe(true);
        expect(decodeQuotedPrintable(encoded)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips long ASCII HTML (quoted-printable) through a real parser', async () => {
    const html = `<div style="color:#333;font-family:Arial">${'<a href="https://x.example/?a=1&b=2">link</a> '.repeat(40)}</div>  \n<p>end</p>`;
    const mail = await parse({ ...base, html });
    expect(String(mail.html).replace(/\r\n/g, '\n')).toBe(html);
  });

  it('writes ASCII headers directly, folded at spaces, and they parse back as given (long, "=?", no spaces at all)', async () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '=', '?', ':', ',', '"', '<', '(', 'x'.repeat(30), 'y'.repeat(500)), maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(ascii, fc.string({ unit: fc.constantFrom('a', ' ', '=', '?', 'x'.repeat(30)), maxLength: 20 }), async (subject, topic) => {
        const cleanSubject = subject.replace(/\s+/g, ' ').trim();
        const unsubscribe = `<https://keel.example/u/${encodeURIComponent(topic)}>, <mailto:u@acme.example?subject=${encodeURIComponent(topic)}>`;
        const built = buildMimeMessage({ ...base, subject: cleanSubject, headers: { 'List-Unsubscribe': unsubscribe } });
        const head = built.raw.toString('utf8').split('\r\n\r\n')[0]!;
        // (a word of over 998 characters cannot be folded; MimeNode leaves it long too)
        if (!/\S{900}/.test(cleanSubject)) expect(head.split('\r\n').every((line) => line.length <= 998)).toBe(true);
        const mail = await simpleParser(built.raw);
        expect(mail.subject ?? '').toBe(cleanSubject);
        expect(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r\n(\s)/g, '$1')).toBe(`List-Unsubscribe: ${unsubscribe}`);
        expect(mail.from?.value).toEqual([{ name: 'Acme News', address: 'news@acme.example' }]);
      }),
      { numRuns: 300 },
    );
  });
});
