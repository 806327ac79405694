/**
 * GitHub's own sample webhook payloads (@octokit/webhooks-examples): what a workflow's event file
 * holds. Tests edit a fresh copy, so they start from a real payload rather than a hand-written one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Example {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

let loaded: Example[] | null = null;

/** A fresh copy of the first `name` example (with `action`, when given). */
export function webhookExample(name: string, action?: string): Record<string, unknown> {
  loaded ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('@octokit/webhooks-examples'), 'utf8'),
  ) as Example[];
  const found = loaded
    .find((e) => e.name === name)
    ?.examples.find((x) => action === undefined || x.action === action);
  if (!found) throw new Error(`no webhooks example ${name}.${action ?? ''}`);
  return structuredClone(found);
}
