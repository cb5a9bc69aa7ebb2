import { describe, expect, it } from 'vitest';
import { JOB_TITLES } from '../demo/index.ts';
import { departmentOfTitle, seniorityOfTitle } from './title-rules.ts';

describe('seniority and department from job titles', () => {
  it.each([
    ['CMO', 'C-level', 'Marketing'],
    ['Chief Executive Officer', 'C-level', 'Executive'],
    ['Co-Founder & CTO', 'C-level', 'Engineering'],
    ['SVP, Sales', 'VP', 'Sales'],
    ['Vice President of Finance', 'VP', 'Finance'],
    ['EVP Operations', 'VP', 'Operations'],
    ['Sr. Dir. of Demand Gen', 'Director', 'Marketing'],
    ['Head of People', 'Director', 'Human Resources'],
    ['Dir., Product Management', 'Director', 'Product'],
    ['Mktg Mgr', 'Manager', 'Marketing'],
    ['Customer Support Team Lead', 'Manager', 'Customer Success'],
    ['Senior Software Engineer', 'Individual Contributor', 'Engineering'],
    ['Account Executive', 'Individual Contributor', 'Sales'],
    ['Legal Counsel', 'Individual Contributor', 'Legal'],
    ['Systems Administrator', 'Individual Contributor', 'IT'],
    ['Executive Assistant to the CEO', 'Individual Contributor', 'Executive'],
    ['Geschäftsführer', 'C-level', 'Executive'],
    ['Leiter Vertrieb', 'Director', 'Sales'],
    ['Directeur Marketing', 'Director', 'Marketing'],
    ['Gerente de Ventas', 'Manager', 'Sales'],
    ['Consultant', 'Individual Contributor', undefined],
  ])('%j -> %s, %s', (title, seniority, department) => {
    expect(seniorityOfTitle(title)).toBe(seniority);
    expect(departmentOfTitle(title)).toBe(department);
  });

  it("agrees with the demo's labelled titles", () => {
    const wrong = JOB_TITLES.filter((t) => seniorityOfTitle(t.title) !== t.seniority || departmentOfTitle(t.title) !== t.department);
    expect(wrong).toEqual([]);
  });
});
