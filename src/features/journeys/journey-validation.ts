import { AppError } from '../../platform/errors.ts';
import { formatPath, parseYamlText } from '../audiences/index.ts';
import { JourneyDefinitionSchema, type JourneyCondition, type JourneyDefinition, type JourneyStep } from './journey-definition.ts';

export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * A journey from YAML text or a parsed object (the API's body), checked against the
 * schema and as a graph. The error lists every offending node by path, e.g.
 * `steps[3].branch.conditions[0].stage: unknown field "stagee"`.
 */
export function parseJourneyDefinition(input: string | unknown): JourneyDefinition {
  const value = typeof input === 'string' ? parseYamlText(input, 'journey definition') : input;
  const result = JourneyDefinitionSchema.safeParse(value);
  const issues: ValidationIssue[] = result.success
    ? checkJourneyGraph(result.data)
    : result.error.issues.map((issue) => {
        const path = formatPath(issue.path) || 'journey';
        if (issue.code === 'unrecognized_keys') return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
        return { path, message: issue.message };
      });
  if (issues.length > 0) throw new AppError('invalid', issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
  return result.data!;
}

/** Where a step can go next; the last step without `next` ends the run. */
export function successorsOf(steps: readonly JourneyStep[], index: number): string[] {
  const step = steps[index]!;
  if (step.exit) return [];
  if (step.branch) return [step.branch.then, step.branch.else];
  if (step.split) return step.split.variants.map((v) => v.next);
  const following = step.next ?? steps[index + 1]?.id;
  const out = following ? [following] : [];
  if (step.on_timeout) out.push(step.on_timeout);
  return out;
}

/** Unknown step ids, duplicate ids, unreachable steps, and cycles that never wait. */
export function checkJourneyGraph(d: JourneyDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const index = new Map<string, number>();
  d.steps.forEach((s, i) => {
    if (index.has(s.id)) issues.push({ path: `steps[${i}].id`, message: `duplicate step id "${s.id}" (also steps[${index.get(s.id)}])` });
    else index.set(s.id, i);
  });
  const refs = (s: JourneyStep, i: number): Array<[string, string]> => [
    ...(s.next ? [[`steps[${i}].next`, s.next] as [string, string]] : []),
    ...(s.on_timeout ? [[`steps[${i}].on_timeout`, s.on_timeout] as [string, string]] : []),
    ...(s.branch ? [[`steps[${i}].branch.then`, s.branch.then], [`steps[${i}].branch.else`, s.branch.else]] as Array<[string, string]> : []),
    ...(s.split?.variants.map((v, j) => [`steps[${i}].split.variants[${j}].next`, v.next] as [string, string]) ?? []),
    ...(s.branch?.conditions.flatMap((c, j) => stepRefsOf(c, `steps[${i}].branch.conditions[${j}]`)) ?? []),
  ];
  d.steps.forEach((s, i) => {
    for (const [path, id] of refs(s, i)) if (!index.has(id)) issues.push({ path, message: `unknown step id "${id}" (steps: ${[...index.keys()].join(', ')})` });
    if (s.split && new Set(s.split.variants.map((v) => v.name)).size !== s.split.variants.length) issues.push({ path: `steps[${i}].split.variants`, message: 'variant names must differ' });
  });
  if (issues.length > 0) return issues;
  const edges = d.steps.map((_, i) => successorsOf(d.steps, i).map((id) => index.get(id)!));
  const reached = new Set<number>([0]);
  for (const stack = [0]; stack.length > 0; ) {
    for (const j of edges[stack.pop()!]!) {
      if (reached.has(j)) continue;
      reached.add(j);
      stack.push(j);
    }
  }
  d.steps.forEach((s, i) => {
    if (!reached.has(i)) issues.push({ path: `steps[${i}]`, message: `step "${s.id}" is unreachable from the first step` });
  });
  const cycle = findCycleWithoutWait(d.steps, edges);
  if (cycle) issues.push({ path: `steps[${cycle[0]}]`, message: `the steps ${cycle.map((i) => `"${d.steps[i]!.id}"`).join(' -> ')} form a cycle without a wait` });
  return issues;
}

function stepRefsOf(c: JourneyCondition, path: string): Array<[string, string]> {
  if (c.step) return [[`${path}.step.id`, c.step.id]];
  if (c.all) return c.all.flatMap((x, i) => stepRefsOf(x, `${path}.all[${i}]`));
  if (c.any) return c.any.flatMap((x, i) => stepRefsOf(x, `${path}.any[${i}]`));
  if (c.not) return stepRefsOf(c.not, `${path}.not`);
  return [];
}

/** A cycle through steps none of which waits would run forever in one instant. */
function findCycleWithoutWait(steps: readonly JourneyStep[], edges: number[][]): number[] | null {
  const state = new Map<number, 'open' | 'done'>();
  const trail: number[] = [];
  const visit = (i: number): number[] | null => {
    state.set(i, 'open');
    trail.push(i);
    for (const j of edges[i]!) {
      if (steps[j]!.wait) continue;
      if (state.get(j) === 'open') return [...trail.slice(trail.indexOf(j)), j];
      if (!state.has(j)) {
        const found = visit(j);
        if (found) return found;
      }
    }
    trail.pop();
    state.set(i, 'done');
    return null;
  };
  for (let i = 0; i < steps.length; i += 1) {
    if (steps[i]!.wait || state.has(i)) continue;
    const found = visit(i);
    if (found) return found;
  }
  return null;
}
