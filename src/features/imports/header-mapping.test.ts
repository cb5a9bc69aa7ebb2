import { describe, expect, it } from 'vitest';
import { parseMapOptions, parseMappingText, resolveMapping, suggestMapping, traitNameOf } from './header-mapping.ts';

describe('header mapping', () => {
  it('suggests fields from messy column names and keeps the rest as custom traits', () => {
    expect(suggestMapping('contacts', ['Email Address', 'First Name', 'LAST_NAME', 'Company', 'Job Title', 'Lead Source (Original)', 'Contact ID'])).toEqual({
      'Email Address': 'email',
      'First Name': 'first_name',
      LAST_NAME: 'last_name',
      Company: 'company',
      'Job Title': 'title',
      'Lead Source (Original)': 'trait.lead_source_original',
      'Contact ID': 'user_id',
    });
    expect(suggestMapping('accounts', ['Account ID', 'Website', 'Company Name', '# Employees'])).toEqual({
      'Account ID': 'external_id',
      Website: 'domain',
      'Company Name': 'name',
      '# Employees': 'employees',
    });
    // Each field is taken once: a second email column stays custom data.
    expect(suggestMapping('contacts', ['Email', 'E-mail'])).toEqual({ Email: 'email', 'E-mail': 'trait.e_mail' });
    expect(suggestMapping('opportunities', ['Deal ID', 'Notes'])).toEqual({ 'Deal ID': 'external_id', Notes: 'ignore' });
    expect(traitNameOf('annualRevenue (€)')).toBe('annual_revenue');
  });

  it('lays overrides over the suggestion and refuses targets and columns that do not exist', () => {
    const mapping = resolveMapping('contacts', ['Mail', 'Notes'], parseMapOptions(['Mail=email', 'Notes=ignore']));
    expect(mapping).toEqual({ Mail: 'email', Notes: 'ignore' });
    expect(() => resolveMapping('contacts', ['Mail'], { Mail: 'e-mail' })).toThrow(/Mapping of column "Mail": target "e-mail" is not one of email, user_id/);
    expect(() => resolveMapping('contacts', ['Mail'], { Email: 'email' })).toThrow(/names column "Email", which is not in the header \("Mail"\)/);
    expect(() => resolveMapping('contacts', ['Email', 'Mail'], { Mail: 'email' })).toThrow(/Columns "Email" and "Mail" both map to "email"/);
    expect(() => parseMapOptions(['Email'])).toThrow(/--map must look like "Column Name=field", got "Email"/);
    // The last = splits, so a column name may hold one.
    expect(parseMapOptions(['a=b=email'])).toEqual({ 'a=b': 'email' });
  });

  it('reads mapping files in YAML or JSON, and names the problem in a bad one', () => {
    expect(parseMappingText('Email Address: email\nNotes: ignore\n', 'm.yaml')).toEqual({ 'Email Address': 'email', Notes: 'ignore' });
    expect(parseMappingText('{"columns": {"Mail": "email"}}', 'm.json')).toEqual({ Mail: 'email' });
    expect(() => parseMappingText('a: [1', 'bad.yaml')).toThrow(/Mapping bad.yaml is not valid YAML or JSON/);
    expect(() => parseMappingText('Mail: 3', 'num.yaml')).toThrow(/Mapping num.yaml must map column names to fields/);
  });
});
