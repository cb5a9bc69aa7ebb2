/**
 * ILIKE patterns that match text containing any of the values literally (`%`, `_` and `\`
 * escaped). Privacy requests use them to find a person's values inside JSON or free text.
 */
export const containingPatterns = (values: string[]): string[] => values.map((v) => `%${v.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
