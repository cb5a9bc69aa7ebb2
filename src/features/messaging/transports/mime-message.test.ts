import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMimeMessage, encodeBody, type MimeInput } from './mime-message.ts';

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
});
