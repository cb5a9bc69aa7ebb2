export type Seniority = 'C-level' | 'VP' | 'Director' | 'Manager' | 'Individual Contributor';
export type Department =
  | 'Executive' | 'Marketing' | 'Sales' | 'Engineering' | 'Product' | 'Finance' | 'Human Resources' | 'Operations'
  | 'IT' | 'Legal' | 'Customer Success';

/**
 * Title words, lower-case ASCII, split on anything that is not a letter or digit:
 * "Sr. Dir., Mktg & Comms" -> ['sr', 'dir', 'mktg', 'comms'].
 */
function wordsOf(title: string): string[] {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\bc[\s.-]?level\b/g, 'clevel')
    .replace(/\b(s|e|a)\.?v\.?p\b/g, '$1vp')
    .replace(/\bv\.?p\b/g, 'vp')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const has = (words: string[], ...any: string[]) => any.some((w) => words.includes(w));
const phrase = (title: string, pattern: RegExp) => pattern.test(title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase());

// Chief-officer acronyms (CEO, CMO, CISO...) and their department.
const CHIEF: Record<string, Department> = {
  ceo: 'Executive', coo: 'Operations', cfo: 'Finance', cmo: 'Marketing', cto: 'Engineering', cio: 'IT', ciso: 'IT', cso: 'IT',
  cro: 'Sales', cpo: 'Product', cdo: 'Engineering', chro: 'Human Resources', cco: 'Customer Success', clo: 'Legal', cao: 'Finance',
};

/**
 * Seniority from a job title, by rules checked from the top down (so "VP, Marketing
 * Manager" is VP). English with common abbreviations (SVP, Dir., Mgr, Head of), and
 * German, French and Spanish basics (Geschäftsführer, Leiter, Directeur, Gerente...).
 * Undefined when the title says nothing about level.
 *
 * @example
 * seniorityOfTitle('Sr. Dir. of Demand Gen') // 'Director'
 */
export function seniorityOfTitle(title: string): Seniority | undefined {
  const w = wordsOf(title);
  if (w.length === 0) return undefined;
  if (has(w, ...Object.keys(CHIEF), 'clevel', 'chief', 'president', 'founder', 'cofounder', 'owner', 'partner', 'geschaftsfuhrer', 'inhaber', 'vorstand', 'pdg', 'presidente', 'fundador', 'fondateur')
    || phrase(title, /\b(co-founder|managing director|general manager|executive director)\b/)) {
    // "Vice President" and "Assistant to the CEO" are not C-level.
    if (has(w, 'vice', 'assistant', 'office') || phrase(title, /\bchief of staff\b/)) return has(w, 'vice') ? 'VP' : 'Individual Contributor';
    return 'C-level';
  }
  if (has(w, 'vp', 'svp', 'evp', 'avp', 'vicepresident') || phrase(title, /\bvice[- ]president\b/)) return 'VP';
  if (has(w, 'director', 'dir', 'head', 'directeur', 'directrice', 'direktor', 'leiter', 'leiterin', 'bereichsleiter', 'jefe', 'jefa', 'responsable')
    || phrase(title, /\bdirector\b/)) return 'Director';
  if (has(w, 'manager', 'mgr', 'mngr', 'lead', 'controller', 'supervisor', 'teamlead', 'gerente', 'gestionnaire', 'teamleiter', 'abteilungsleiter', 'coordinator', 'coordinatrice', 'coordinateur')) {
    return has(w, 'coordinator', 'coordinatrice', 'coordinateur') ? 'Individual Contributor' : 'Manager';
  }
  return 'Individual Contributor';
}

// Department words, checked in order: the first that matches wins, so "Marketing
// Operations" is Marketing and "Sales Engineer" is Sales.
const DEPARTMENT_RULES: Array<[Department, RegExp]> = [
  ['Operations', /\b(revenue operations|revops|rev ops)\b/],
  ['Marketing', /\b(marketing|mktg|mkt|brand|demand|growth|content|seo|sem|ppc|communications?|comms|pr|public relations|events?|social media|campaigns?|abm|lifecycle|advertising|vertrieb?smarketing|mercadotecnia)\b/],
  ['Sales', /\b(sales|account executive|ae|sdr|bdr|business development|account manager|revenue|vertrieb|verkauf|ventas|commercial|commerciale?|key account)\b/],
  ['Customer Success', /\b(customer success|customer experience|customer service|support|cx|csm|kundenservice|service client|soporte)\b/],
  ['Human Resources', /\b(hr|human resources?|people|talent|recruit(er|ing)?|personal|rrhh|ressources humaines|chro)\b/],
  ['Finance', /\b(finance|financial|fp&a|accounting|accountant|controller|controlling|treasury|tax|audit|payroll|finanzen|buchhaltung|comptable|finanzas|contable|cfo|cao)\b/],
  ['Legal', /\b(legal|counsel|lawyer|attorney|compliance|privacy|paralegal|recht|juriste|abogad[oa]|clo)\b/],
  ['Product', /\b(product|pm|producto|produit|produkt|cpo|design(er)?|ux|ui)\b/],
  ['IT', /\b(it|information technology|systems? administrator|sysadmin|helpdesk|infrastructure|network|security|ciso|cio|informatique|informatica)\b/],
  ['Engineering', /\b(engineer(ing)?|developer|software|devops|sre|architect|programmer|technology|cto|data|analytics|bi|business intelligence|cdo|ingenieur|entwickler|desarrollador|ingeniero|developpeur)\b/],
  ['Operations', /\b(operations|ops|revops|logistics|supply chain|procurement|purchasing|betrieb|operaciones|coo)\b/],
  ['Executive', /\b(ceo|chief executive|founder|co-founder|president|owner|managing director|general manager|geschaftsfuhrer|pdg|presidente|fundador)\b/],
];

/**
 * Department from a job title (see DEPARTMENT_RULES for the words); undefined when no
 * rule matches ("Consultant").
 *
 * @example
 * departmentOfTitle('Sr. Mgr, Demand Gen') // 'Marketing'
 */
export function departmentOfTitle(title: string): Department | undefined {
  const text = ` ${title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9&]+/g, ' ')} `
    .replace(/\bdemand gen\b/g, 'demand')
    .replace(/\bmgr\b/g, 'manager');
  for (const [department, pattern] of DEPARTMENT_RULES) if (pattern.test(text)) return department;
  const chief = wordsOf(title).find((w) => w in CHIEF);
  return chief ? CHIEF[chief] : undefined;
}
