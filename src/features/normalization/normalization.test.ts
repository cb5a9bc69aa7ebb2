import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCountry, checkEmail, checkPhone, checkWebsiteDomain, classifyEmailDomain, cleanCompanyName, cleanJobTitle, cleanPersonName, companyMatchKey } from './index.ts';

describe('email', () => {
  it.each([
    [' Ada.Lovelace@Example.COM ', 'ada.lovelace@example.com'],
    ['Ada <ada@acme.io>', 'ada@acme.io'],
    ['mailto:ada@acme.io', 'ada@acme.io'],
    ['ada+news@acme.io', 'ada+news@acme.io'],
    ['josé@bücher.de', 'josé@xn--bcher-kva.de'],
    ['ada@xn--bcher-kva.de', 'ada@xn--bcher-kva.de'],
    ['ada@acme.io.', 'ada@acme.io'],
  ])('normalizes %j to %j', (input, expected) => {
    const check = checkEmail(input);
    expect(check).toMatchObject({ ok: true, email: { address: expected } });
  });

  it('gives the Unicode form of an IDN domain for display, the ASCII form for storage', () => {
    expect(checkEmail('a@BÜCHER.de')).toMatchObject({ ok: true, email: { domain: 'xn--bcher-kva.de', domainUnicode: 'bücher.de' } });
  });

  it.each([
    ['ada', 'no local part'],
    ['ada@', 'no local part'],
    ['@acme.io', 'no local part'],
    ['ada..x@acme.io', 'double dot'],
    ['.ada@acme.io', 'leading'],
    ['ada lovelace@acme.io', 'characters'],
    ['ada@acme', 'valid host name'],
    ['ada@acme.123', 'domain'],
    ['ada@acme.c0m', 'top-level'],
    ['ada@-acme.io', 'valid host name'],
    [`${'a'.repeat(65)}@acme.io`, 'longer than 64'],
    ['', 'empty'],
  ])('refuses %j (%s)', (input, reason) => {
    const check = checkEmail(input);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it('is idempotent on every address it accepts', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const first = checkEmail(email);
        if (!first.ok) return;
        expect(checkEmail(first.email.address)).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });
});

describe('phone', () => {
  it.each([
    ['+1 (415) 555-2671', undefined, '+14155552671', 'US'],
    ['(030) 1234567', 'DE', '+49301234567', 'DE'],
    ['0044 20 7946 0958', undefined, '+442079460958', 'GB'],
    ['020 7946 0958', 'GB', '+442079460958', 'GB'],
    ['06 12 34 56 78', 'FR', '+33612345678', 'FR'],
  ])('reads %j (country %s) as %s', (input, country, e164, phoneCountry) => {
    expect(checkPhone(input, country)).toEqual({ ok: true, e164, country: phoneCountry });
  });

  it.each([
    ['555-0100', undefined, 'no country code'],
    ['+1 555 0100', undefined, 'not a valid number'],
    ['call me', 'US', 'no digits'],
    ['12', 'DE', 'not'],
  ])('refuses %j (country %s)', (input, country, reason) => {
    const check = checkPhone(input, country);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });
});

describe('country', () => {
  it.each([
    ['us', 'US'], ['USA', 'US'], ['United States of America', 'US'], ['840', 'US'], ['UK', 'GB'], ['England', 'GB'],
    ['Deutschland', 'DE'], ['Allemagne', 'DE'], ['DEU', 'DE'], ['  the netherlands ', 'NL'], ['Holland', 'NL'], ['España', 'ES'],
    ['South Korea', 'KR'], ['Côte d’Ivoire', 'CI'],
  ])('%j -> %s', (input, code) => {
    expect(checkCountry(input)).toEqual({ ok: true, code });
  });

  it.each(['Narnia', 'XX', 'ZZZ', '999', ''])('refuses %j', (input) => {
    expect(checkCountry(input).ok).toBe(false);
  });
});

describe('names and titles', () => {
  it.each([
    ['JOHN', 'first', 'John'],
    ["o'brien", 'last', "O'Brien"],
    ['MCDONALD', 'last', 'McDonald'],
    ['van dijk', 'last', 'van Dijk'],
    ['DE LA CRUZ', 'last', 'de la Cruz'],
    ['mary-jane', 'first', 'Mary-Jane'],
    ['DeShawn', 'first', 'DeShawn'],
    ['  Ada   ', 'first', 'Ada'],
  ] as const)('%j (%s) -> %j', (input, position, expected) => {
    expect(cleanPersonName(input, position)?.value).toBe(expected);
  });

  it('takes honorifics and suffixes apart from the name', () => {
    expect(cleanPersonName('Dr. Ada Lovelace', 'full')).toEqual({ value: 'Ada Lovelace', honorific: 'Dr' });
    expect(cleanPersonName('MARTIN LUTHER KING JR.', 'full')).toEqual({ value: 'Martin Luther King', suffix: 'JR' });
  });

  it.each([
    ['VP OF MARKETING', 'VP of Marketing'],
    ['chief marketing officer', 'Chief Marketing Officer'],
    ['  Senior   Engineer ', 'Senior Engineer'],
    ['Head of IT', 'Head of IT'],
    ['svp, sales emea', 'SVP, Sales EMEA'],
  ])('title %j -> %j', (input, expected) => {
    expect(cleanJobTitle(input)).toBe(expected);
  });
});

describe('company names', () => {
  it.each([
    ['The Acme Company, Inc.', 'acme'],
    ['ACME Co', 'acme'],
    ['Acme GmbH & Co. KG', 'acme'],
    ['Müller S.A.', 'muller'],
    ['Widgets Pty Ltd', 'widgets'],
    ['Johnson & Johnson', 'johnson and johnson'],
    ['Smith, Jones and Partners LLP', 'smith jones and partners'],
    ['Holding AG', 'holding ag'],
  ])('match key of %j is %j', (input, key) => {
    expect(companyMatchKey(input)).toBe(key);
  });

  it('keeps the display name as written, whitespace aside', () => {
    expect(cleanCompanyName('  Acme   GmbH ')).toBe('Acme GmbH');
  });
});

describe('website domain and e-mail domain kind', () => {
  it.each([
    ['https://www.Acme.com/about?x=1', 'acme.com'],
    ['acme.co.uk', 'acme.co.uk'],
    ['http://shop.acme.co.uk', 'acme.co.uk'],
    ['//blog.acme.io/', 'acme.io'],
    ['acme.github.io', 'acme.github.io'],
    ['bücher.de', 'xn--bcher-kva.de'],
  ])('%j -> %s', (input, domain) => {
    expect(checkWebsiteDomain(input)).toEqual({ ok: true, domain });
  });

  it.each(['localhost', 'http://192.168.1.1', 'not a url', 'co.uk'])('refuses %j', (input) => {
    expect(checkWebsiteDomain(input).ok).toBe(false);
  });

  it('tells business, free-mail and disposable domains apart, with extra free-mail domains', () => {
    expect(classifyEmailDomain('acme.com')).toBe('business');
    expect(classifyEmailDomain('gmail.com')).toBe('free');
    expect(classifyEmailDomain('web.de')).toBe('free');
    expect(classifyEmailDomain('mailinator.com')).toBe('disposable');
    expect(classifyEmailDomain('eu.mailinator.com')).toBe('disposable');
    expect(classifyEmailDomain('gmail.example')).toBe('business');
    expect(classifyEmailDomain('gmail.example', { extraFreeMailDomains: ['gmail.example'] })).toBe('free');
  });
});
