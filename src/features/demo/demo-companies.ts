// Reference data for demo accounts: company sizes, industries, countries and name parts.

/**
 * Employee-count bands and their share of accounts: a B2B target list skews small, yet
 * about 30% are enterprises (>= 1,000 employees), the audience of the defining scenario.
 */
export const SIZE_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [
  [[5, 49], 0.24],
  [[50, 199], 0.22],
  [[200, 999], 0.24],
  [[1000, 4999], 0.17],
  [[5000, 19999], 0.09],
  [[20000, 200000], 0.04],
];

export const ENTERPRISE_EMPLOYEES = 1000;

export interface Industry {
  name: string;
  weight: number;
  /** Typical annual revenue per employee, USD. */
  revenuePerEmployee: number;
  /** Second words of company names; no word is shared between industries. */
  tails: readonly string[];
}

export const INDUSTRIES: readonly Industry[] = [
  { name: 'Software', weight: 18, revenuePerEmployee: 220_000, tails: ['Software', 'Labs', 'Cloud', 'Systems', 'Data', 'Apps', 'Stack', 'Code', 'IO', 'AI'] },
  { name: 'Financial Services', weight: 11, revenuePerEmployee: 380_000, tails: ['Capital', 'Bank', 'Financial', 'Partners', 'Wealth', 'Payments', 'Lending', 'Securities', 'Trust', 'Insurance'] },
  { name: 'Healthcare', weight: 10, revenuePerEmployee: 140_000, tails: ['Health', 'Medical', 'Care', 'Clinics', 'Bio', 'Pharma', 'Diagnostics', 'Therapeutics', 'Wellness', 'Genomics'] },
  { name: 'Manufacturing', weight: 11, revenuePerEmployee: 260_000, tails: ['Industries', 'Manufacturing', 'Components', 'Materials', 'Machines', 'Robotics', 'Metals', 'Plastics', 'Engineering', 'Fabrication'] },
  { name: 'Retail & E-commerce', weight: 9, revenuePerEmployee: 180_000, tails: ['Retail', 'Goods', 'Outfitters', 'Market', 'Shop', 'Brands', 'Home', 'Apparel', 'Supply Co', 'Stores'] },
  { name: 'Education', weight: 5, revenuePerEmployee: 90_000, tails: ['Learning', 'Academy', 'Education', 'University', 'Schools', 'Institute', 'Tutoring', 'EdTech', 'College', 'Campus'] },
  { name: 'Media & Entertainment', weight: 6, revenuePerEmployee: 210_000, tails: ['Media', 'Studios', 'Entertainment', 'Publishing', 'Pictures', 'Broadcasting', 'Games', 'Records', 'Press', 'Productions'] },
  { name: 'Telecommunications', weight: 4, revenuePerEmployee: 420_000, tails: ['Telecom', 'Networks', 'Wireless', 'Communications', 'Fiber', 'Mobile', 'Connect', 'Broadband', 'Satellite', 'Signal'] },
  { name: 'Energy & Utilities', weight: 4, revenuePerEmployee: 600_000, tails: ['Energy', 'Power', 'Utilities', 'Solar', 'Renewables', 'Oil & Gas', 'Grid', 'Electric', 'Hydro', 'Wind'] },
  { name: 'Professional Services', weight: 10, revenuePerEmployee: 160_000, tails: ['Consulting', 'Advisors', 'Group', 'Associates', 'Legal', 'Accounting', 'Agency', 'Strategy', 'Solutions', 'Services'] },
  { name: 'Logistics & Transportation', weight: 6, revenuePerEmployee: 170_000, tails: ['Logistics', 'Freight', 'Shipping', 'Transport', 'Cargo', 'Fleet', 'Couriers', 'Aviation', 'Rail', 'Delivery'] },
  { name: 'Hospitality & Travel', weight: 3, revenuePerEmployee: 85_000, tails: ['Hotels', 'Travel', 'Resorts', 'Hospitality', 'Tours', 'Restaurants', 'Dining', 'Cruises', 'Stays', 'Vacations'] },
  { name: 'Nonprofit', weight: 2, revenuePerEmployee: 60_000, tails: ['Foundation', 'Alliance', 'Fund', 'Coalition', 'Society', 'Trust Fund', 'Charity', 'Initiative', 'Council', 'Collective'] },
  { name: 'Government', weight: 1, revenuePerEmployee: 100_000, tails: ['Authority', 'Agency Services', 'Department', 'Commission', 'Bureau', 'Office', 'Board', 'District', 'Municipal', 'Administration'] },
];

export interface Country {
  code: string;
  weight: number;
  timezones: readonly string[];
  locale: string;
  /** Currency of a share of this country's deals; the rest are in USD. */
  currency: string;
  phonePrefix: string;
  companySuffixes: readonly string[];
}

export const COUNTRIES: readonly Country[] = [
  { code: 'US', weight: 48, timezones: ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'], locale: 'en-US', currency: 'USD', phonePrefix: '+1', companySuffixes: ['Inc.', 'LLC', 'Corp.'] },
  { code: 'GB', weight: 10, timezones: ['Europe/London'], locale: 'en-GB', currency: 'GBP', phonePrefix: '+44', companySuffixes: ['Ltd', 'plc'] },
  { code: 'DE', weight: 8, timezones: ['Europe/Berlin'], locale: 'de-DE', currency: 'EUR', phonePrefix: '+49', companySuffixes: ['GmbH', 'AG'] },
  { code: 'CA', weight: 6, timezones: ['America/Toronto', 'America/Vancouver'], locale: 'en-CA', currency: 'CAD', phonePrefix: '+1', companySuffixes: ['Inc.', 'Ltd.'] },
  { code: 'FR', weight: 5, timezones: ['Europe/Paris'], locale: 'fr-FR', currency: 'EUR', phonePrefix: '+33', companySuffixes: ['SAS', 'SA'] },
  { code: 'AU', weight: 4, timezones: ['Australia/Sydney', 'Australia/Melbourne'], locale: 'en-AU', currency: 'AUD', phonePrefix: '+61', companySuffixes: ['Pty Ltd'] },
  { code: 'NL', weight: 3, timezones: ['Europe/Amsterdam'], locale: 'nl-NL', currency: 'EUR', phonePrefix: '+31', companySuffixes: ['B.V.', 'N.V.'] },
  { code: 'IN', weight: 4, timezones: ['Asia/Kolkata'], locale: 'en-IN', currency: 'INR', phonePrefix: '+91', companySuffixes: ['Pvt Ltd'] },
  { code: 'JP', weight: 3, timezones: ['Asia/Tokyo'], locale: 'ja-JP', currency: 'JPY', phonePrefix: '+81', companySuffixes: ['K.K.'] },
  { code: 'SE', weight: 2, timezones: ['Europe/Stockholm'], locale: 'sv-SE', currency: 'SEK', phonePrefix: '+46', companySuffixes: ['AB'] },
  { code: 'BR', weight: 2, timezones: ['America/Sao_Paulo'], locale: 'pt-BR', currency: 'BRL', phonePrefix: '+55', companySuffixes: ['Ltda.'] },
  { code: 'ES', weight: 2, timezones: ['Europe/Madrid'], locale: 'es-ES', currency: 'EUR', phonePrefix: '+34', companySuffixes: ['S.L.', 'S.A.'] },
  { code: 'SG', weight: 2, timezones: ['Asia/Singapore'], locale: 'en-SG', currency: 'SGD', phonePrefix: '+65', companySuffixes: ['Pte Ltd'] },
  { code: 'IE', weight: 1, timezones: ['Europe/Dublin'], locale: 'en-IE', currency: 'EUR', phonePrefix: '+353', companySuffixes: ['Ltd', 'DAC'] },
];

/** First halves of company names. */
export const NAME_HEADS: readonly string[] = [
  'North', 'Blue', 'Bright', 'Silver', 'Golden', 'Red', 'Iron', 'Clear', 'True', 'West',
  'East', 'High', 'Deep', 'Swift', 'Bold', 'Green', 'White', 'Black', 'Grand', 'Prime',
  'Star', 'Sun', 'Moon', 'Sky', 'Sea', 'Stone', 'Oak', 'Pine', 'Cedar', 'Maple',
  'Elm', 'Birch', 'Ash', 'Fox', 'Wolf', 'Bear', 'Hawk', 'Eagle', 'Lion', 'Crow',
  'Frost', 'Storm', 'Rain', 'Snow', 'Fire', 'Ember', 'Cloud', 'Wind', 'Tide', 'River',
  'Lake', 'Bay', 'Cape', 'Glen', 'Dale', 'Vale', 'Brook', 'Ridge', 'Crest', 'Summit',
];

/** Second halves of company names (`North` + `gate` = `Northgate`). */
export const NAME_BODIES: readonly string[] = [
  'gate', 'bridge', 'field', 'wood', 'stone', 'point', 'view', 'way', 'line', 'path',
  'port', 'haven', 'ford', 'well', 'mark', 'light', 'spring', 'side', 'brook', 'land',
  'peak', 'star', 'wave', 'rock', 'forge', 'works', 'mont', 'vale', 'crest', 'shore',
  'wind', 'fall', 'lake', 'ridge', 'stream', 'bay', 'fleet', 'grove', 'hill', 'moor',
  'beam', 'bolt', 'core', 'craft', 'dock', 'edge', 'gear', 'hub', 'loop', 'mill',
];

/**
 * Company e-mail domains use the reserved `.example` top-level domain (RFC 2606): demo
 * contacts look real but no message to them can ever reach a real mailbox.
 */
export const DEMO_TLD = 'example';
