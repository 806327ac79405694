import { quote } from '../check-email.js';
import type { PolicyDocument, Report } from '../model.js';
import { isAlias, isScalar } from '../yaml-nodes.js';

/** The only way to write a business id: what a reviewer reads is the number rolecall uses. */
const PLAIN_DECIMAL = /^[1-9][0-9]*$/;

/**
 * `business:` is written as plain decimal digits. YAML also reads `0x3AAD4`, `0o725324`,
 * `240340.0`, `2.4034e5`, `+240340` and `0240340` as the number 240340 (and `!!int "240340"`
 * too), so the schema, which sees only the number, accepts them all; but a reviewer reading the
 * diff cannot tell which business such a file governs, or that it moved to another one. The
 * source text decides here, not the value.
 */
export function checkBusinessId(doc: PolicyDocument, report: Report): void {
  const { node } = doc.locator.node(['business']);
  const problem = describeProblem(node, doc.raw.business);
  if (problem === null) return;
  report.error(
    'BUSINESS_NOT_DECIMAL',
    `business must be written in plain decimal digits (like ${doc.raw.business}), not ${problem}, so that the diff shows which business this file governs`,
    doc.locator.at(['business']),
  );
}

/** What is wrong with how the id is written, or null when it is plain digits. */
function describeProblem(node: unknown, value: number): string | null {
  if (isAlias(node)) return 'an alias (`*name`)';
  if (!isScalar(node)) return 'this value';
  const source = node.source ?? String(node.value);
  if (node.tag !== undefined)
    return `${quote(source)} with the tag ${node.tag.replace(/^tag:yaml\.org,2002:/, '!!')}`;
  if (node.type !== 'PLAIN') return `the quoted ${quote(source)}`;
  if (PLAIN_DECIMAL.test(source) && String(value) === source) return null;
  return `${quote(source)}, which YAML reads as ${value}`;
}
