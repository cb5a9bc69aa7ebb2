import { describe, expect, it } from 'vitest';
import { extractContactFields } from './contact-fields.ts';

describe('extractContactFields', () => {
  it('splits a full name with honorific, particle and suffix', () => {
    const { fields, custom } = extractContactFields({ name: 'DR. LUDWIG VAN BEETHOVEN JR.' });
    expect(fields).toEqual({ first_name: 'Ludwig', last_name: 'van Beethoven' });
    expect(custom).toEqual({ honorific: 'Dr', name_suffix: 'JR' });
  });

  it('reads a national phone number in the country given beside it, whatever the key order', () => {
    expect(extractContactFields({ phone: '030 1234567', country: 'Germany' }).fields).toEqual({ phone: '+49301234567', country: 'DE' });
  });

  it('keeps an invalid value as a trait and reports it, unless another alias gave a valid one', () => {
    expect(extractContactFields({ email: 'nope' })).toEqual({ fields: {}, custom: { email: 'nope' }, issues: [{ field: 'email', value: 'nope', reason: 'no local part and domain around one @' }] });
    const both = extractContactFields({ phone: 'n/a', phoneNumber: '+44 20 7946 0958' });
    expect(both.fields.phone).toBe('+442079460958');
    expect(both.issues).toEqual([]);
    expect(both.custom).toMatchObject({ phone: 'n/a' });
    expect(extractContactFields({ title: ['a', 'b'] }).issues).toEqual([{ field: 'title', value: '["a","b"]', reason: 'a list, not text' }]);
  });

  it('takes the company name out of a company object and keeps the object', () => {
    const { fields, custom } = extractContactFields({ company: { name: 'ACME Inc.', plan: 'pro' } });
    expect(fields.company).toBe('ACME Inc.');
    expect(custom).toEqual({ company: { name: 'ACME Inc.', plan: 'pro' }, company_match_key: 'acme' });
  });
});
