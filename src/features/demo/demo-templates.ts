// The demo workspace's email templates: one nurture email per engagement stage, for the
// nurture journey's branches. Personalised with contact, account and stage, every merge
// field with a default, so each renders for every demo contact.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { applyTemplates } from '../templates/index.ts';

const layout = (heading: string, text: string, button: { label: string; href: string }) => `<mjml>
  <mj-head>
    <mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif" /><mj-text font-size="15px" line-height="22px" color="#1f2933" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#0b3d91"><mj-column><mj-text color="#ffffff" font-size="20px" font-weight="bold">Northwind Analytics</mj-text></mj-column></mj-section>
    <mj-section background-color="#ffffff">
      <mj-column>
        <mj-text font-size="22px" font-weight="bold">${heading}</mj-text>
        <mj-text>${text}</mj-text>
        <mj-button background-color="#0b3d91" href="${button.href}">${button.label}</mj-button>
        <mj-image src="https://northwind.example/img/dashboard.png" alt="A Northwind dashboard" width="480px" />
        <mj-text>{{ workspace.sender_name | default: "The Northwind team" }}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

const yaml = (doc: Record<string, string>) => Object.entries(doc).map(([k, v]) => (v.includes('\n') ? `${k}: |\n${v.split('\n').map((l) => `  ${l}`).join('\n')}` : `${k}: ${JSON.stringify(v)}`)).join('\n');

export const DEMO_TEMPLATES = [
  yaml({
    kind: 'template',
    key: 'nurture-new',
    name: 'Nurture: new contacts',
    subject: 'Welcome to Northwind, {{ contact.first_name | default: "there" }}',
    preheader: 'Three dashboards {{ account.name | default: "your team" }} can build this week',
    topic: 'product-updates',
    body: layout(
      'Hi {{ contact.first_name | default: "there" }}, welcome aboard',
      'Teams in {{ account.industry | default: "your industry" }} start with pipeline, attribution and churn dashboards. Here is how {{ account.name | default: "your company" }} can have all three running by Friday.',
      { label: 'Build your first dashboard', href: 'https://northwind.example/start' },
    ),
  }),
  yaml({
    kind: 'template',
    key: 'nurture-engaged',
    name: 'Nurture: engaged contacts',
    subject: '{{ contact.first_name | default: "Hi" }}, a plan for {{ account.name | default: "your team" }}',
    preheader: 'What {{ account.employees | default: "large" }}-person companies automate first',
    topic: 'product-updates',
    body: layout(
      'Ready for the next step, {{ contact.first_name | default: "friend" }}?',
      'You have been exploring Northwind (stage: {{ stage.engagement | default: "engaged" | replace: "_", " " }}). As {{ contact.title | default: "a leader" }} at {{ account.name | default: "your company" }}, a 30-minute walkthrough with our team shows what it looks like on your own data.',
      { label: 'Book a demo', href: 'https://northwind.example/demo' },
    ),
  }),
  yaml({
    kind: 'template',
    key: 'nurture-dormant',
    name: 'Nurture: dormant contacts',
    subject: 'Still measuring pipeline by hand, {{ contact.first_name | default: "friend" }}?',
    preheader: 'What changed at Northwind since you last looked',
    topic: 'product-updates',
    body: layout(
      'We have been busy, {{ contact.first_name | default: "friend" }}',
      'Since your last visit we shipped account scoring and multi-touch attribution. {{ account.name | default: "Your team" }} can try both on a sample workspace, no setup needed.',
      { label: 'See what is new', href: 'https://northwind.example/whats-new' },
    ),
  }),
];

/** Saves the demo templates; applying them again changes nothing (same content, same version). */
export async function applyDemoTemplates(db: Kysely<Database>, workspaceId: string): Promise<number> {
  let saved = 0;
  for (const source of DEMO_TEMPLATES) saved += (await applyTemplates(db, workspaceId, source, systemActor('demo'), 'demo template')).filter((a) => a.changed).length;
  return saved;
}
