// Reference data for demo contacts: names, job titles and e-mail conventions.

export const FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen',
  'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Sandra', 'Mark', 'Ashley', 'Steven', 'Emily',
  'Andrew', 'Michelle', 'Joshua', 'Amanda', 'Kevin', 'Melissa', 'Brian', 'Stephanie', 'Ryan', 'Rebecca',
  'Jacob', 'Laura', 'Nicholas', 'Rachel', 'Eric', 'Hannah', 'Jonathan', 'Olivia', 'Samuel', 'Emma',
  'Priya', 'Arjun', 'Ananya', 'Rahul', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Kenji', 'Sakura',
  'Lukas', 'Anna', 'Felix', 'Lea', 'Jonas', 'Sophie', 'Mathieu', 'Camille', 'Louis', 'Chloe',
  'Lars', 'Ingrid', 'Sven', 'Astrid', 'Pieter', 'Fleur', 'Diego', 'Lucia', 'Mateo', 'Sofia',
  'Carlos', 'Isabela', 'Rafael', 'Beatriz', 'Oliver', 'Charlotte', 'Jack', 'Amelia', 'Liam', 'Aoife',
  'Mohammed', 'Fatima', 'Omar', 'Aisha', 'Kwame', 'Amara', 'Noah', 'Zoe', 'Ethan', 'Grace',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Patel', 'Sharma', 'Gupta', 'Singh', 'Kumar', 'Chen', 'Wang', 'Zhang', 'Liu', 'Li',
  'Tanaka', 'Suzuki', 'Sato', 'Watanabe', 'Kim', 'Park', 'Choi', 'Müller', 'Schmidt', 'Schneider',
  'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Bernard',
  'Andersson', 'Johansson', 'Larsson', 'Nilsson', 'de Vries', 'Jansen', 'van Dijk', 'Bakker', 'Silva', 'Santos',
  'Oliveira', 'Costa', "O'Brien", 'Murphy', 'Kelly', 'Byrne', 'Okafor', 'Mensah', 'Haddad', 'Rossi',
];

/** The trait names Keel reads seniority and department from; the demo sets them too. */
export type Seniority = 'C-level' | 'VP' | 'Director' | 'Manager' | 'Individual Contributor';

export interface JobTitle {
  title: string;
  department: string;
  seniority: Seniority;
  /** Relative frequency among contacts who engage with a marketing-operations vendor. */
  weight: number;
}

export const JOB_TITLES: readonly JobTitle[] = [
  { title: 'Chief Executive Officer', department: 'Executive', seniority: 'C-level', weight: 2 },
  { title: 'Founder & CEO', department: 'Executive', seniority: 'C-level', weight: 1.5 },
  { title: 'Chief Marketing Officer', department: 'Marketing', seniority: 'C-level', weight: 2.5 },
  { title: 'CFO', department: 'Finance', seniority: 'C-level', weight: 1 },
  { title: 'Chief Technology Officer', department: 'Engineering', seniority: 'C-level', weight: 1 },
  { title: 'CIO', department: 'IT', seniority: 'C-level', weight: 0.8 },
  { title: 'Chief Revenue Officer', department: 'Sales', seniority: 'C-level', weight: 0.8 },
  { title: 'VP Marketing', department: 'Marketing', seniority: 'VP', weight: 5 },
  { title: 'VP of Demand Generation', department: 'Marketing', seniority: 'VP', weight: 2.5 },
  { title: 'VP Sales', department: 'Sales', seniority: 'VP', weight: 2 },
  { title: 'VP of Engineering', department: 'Engineering', seniority: 'VP', weight: 1 },
  { title: 'VP Revenue Operations', department: 'Operations', seniority: 'VP', weight: 1.5 },
  { title: 'VP Finance', department: 'Finance', seniority: 'VP', weight: 0.7 },
  { title: 'Director of Marketing', department: 'Marketing', seniority: 'Director', weight: 5 },
  { title: 'Director of Demand Generation', department: 'Marketing', seniority: 'Director', weight: 3.5 },
  { title: 'Director of Marketing Operations', department: 'Marketing', seniority: 'Director', weight: 3.5 },
  { title: 'Director of Product Marketing', department: 'Marketing', seniority: 'Director', weight: 2 },
  { title: 'Director of IT', department: 'IT', seniority: 'Director', weight: 2 },
  { title: 'Director of Sales Operations', department: 'Sales', seniority: 'Director', weight: 1.5 },
  { title: 'Head of Growth', department: 'Marketing', seniority: 'Director', weight: 2 },
  { title: 'Head of Data', department: 'Engineering', seniority: 'Director', weight: 1 },
  { title: 'Marketing Ops Manager', department: 'Marketing', seniority: 'Manager', weight: 7 },
  { title: 'Marketing Operations Specialist', department: 'Marketing', seniority: 'Individual Contributor', weight: 4 },
  { title: 'Demand Generation Manager', department: 'Marketing', seniority: 'Manager', weight: 6 },
  { title: 'Content Marketing Manager', department: 'Marketing', seniority: 'Manager', weight: 4 },
  { title: 'Product Marketing Manager', department: 'Marketing', seniority: 'Manager', weight: 3.5 },
  { title: 'Email Marketing Manager', department: 'Marketing', seniority: 'Manager', weight: 3.5 },
  { title: 'Field Marketing Manager', department: 'Marketing', seniority: 'Manager', weight: 2.5 },
  { title: 'Digital Marketing Specialist', department: 'Marketing', seniority: 'Individual Contributor', weight: 4 },
  { title: 'Marketing Coordinator', department: 'Marketing', seniority: 'Individual Contributor', weight: 4 },
  { title: 'Marketing Analyst', department: 'Marketing', seniority: 'Individual Contributor', weight: 3 },
  { title: 'Revenue Operations Manager', department: 'Operations', seniority: 'Manager', weight: 3 },
  { title: 'Sales Operations Analyst', department: 'Sales', seniority: 'Individual Contributor', weight: 2 },
  { title: 'Account Executive', department: 'Sales', seniority: 'Individual Contributor', weight: 2.5 },
  { title: 'Sales Development Representative', department: 'Sales', seniority: 'Individual Contributor', weight: 2 },
  { title: 'IT Manager', department: 'IT', seniority: 'Manager', weight: 2 },
  { title: 'Systems Administrator', department: 'IT', seniority: 'Individual Contributor', weight: 1.2 },
  { title: 'Software Engineer', department: 'Engineering', seniority: 'Individual Contributor', weight: 3 },
  { title: 'Senior Software Engineer', department: 'Engineering', seniority: 'Individual Contributor', weight: 2 },
  { title: 'Data Engineer', department: 'Engineering', seniority: 'Individual Contributor', weight: 2 },
  { title: 'Engineering Manager', department: 'Engineering', seniority: 'Manager', weight: 1.2 },
  { title: 'Controller', department: 'Finance', seniority: 'Manager', weight: 0.8 },
  { title: 'Financial Analyst', department: 'Finance', seniority: 'Individual Contributor', weight: 1 },
  { title: 'Operations Manager', department: 'Operations', seniority: 'Manager', weight: 1.5 },
  { title: 'HR Director', department: 'Human Resources', seniority: 'Director', weight: 0.6 },
  { title: 'Customer Success Manager', department: 'Customer Success', seniority: 'Manager', weight: 1.2 },
];

/** Titles weighted for a company's size: small companies have founders, large ones specialists. */
export function titleTableFor(employees: number): ReadonlyArray<readonly [JobTitle, number]> {
  const small = employees < 50;
  const large = employees >= 1000;
  return JOB_TITLES.map((t) => {
    let weight = t.weight;
    if (small && t.seniority === 'C-level') weight *= 3;
    if (small && (t.title.startsWith('Founder') || t.title === 'Chief Executive Officer')) weight *= 2;
    if (large && t.seniority === 'C-level') weight *= 0.3;
    if (large && (t.seniority === 'Manager' || t.seniority === 'Individual Contributor')) weight *= 1.4;
    return [t, weight] as const;
  });
}

/** Local-part conventions of company e-mail addresses; each company uses one. */
export const EMAIL_FORMATS: ReadonlyArray<readonly [EmailFormat, number]> = [
  ['first.last', 50],
  ['flast', 20],
  ['first', 12],
  ['firstl', 8],
  ['first_last', 6],
  ['last.first', 4],
];

export type EmailFormat = 'first.last' | 'flast' | 'first' | 'firstl' | 'first_last' | 'last.first';

/** Free-mail providers, on reserved `.example` domains so that nothing can ever be delivered. */
export const DEMO_FREE_MAIL_DOMAINS: readonly string[] = ['gmail.example', 'outlook.example', 'yahoo.example', 'icloud.example', 'proton.example'];

/** `Zoë O'Brien-Smith` -> `zoeobriensmith`: ASCII letters only, for e-mail local parts. */
export function emailSlug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

export function emailLocalPart(format: EmailFormat, first: string, last: string): string {
  const f = emailSlug(first);
  const l = emailSlug(last);
  switch (format) {
    case 'first.last':
      return `${f}.${l}`;
    case 'flast':
      return `${f[0]}${l}`;
    case 'first':
      return f;
    case 'firstl':
      return `${f}${l[0]}`;
    case 'first_last':
      return `${f}_${l}`;
    case 'last.first':
      return `${l}.${f}`;
  }
}
