import type { BusinessPlan, Change, GuardResult, Plan } from '../types.js';
import {
  businessTitle,
  countChanges,
  describeChange,
  noChangesLine,
  roleLabel,
  shortSha,
  sourceText,
  stateLabel,
  summaryLine,
} from './describe.js';
import { displayExpiry } from './expiry.js';

export interface RenderTextOptions {
  /** ANSI colour. The CLI decides (TTY and no `NO_COLOR`); the renderer never looks. */
  color?: boolean;
}

type Paint = (text: string) => string;
interface Palette {
  green: Paint;
  yellow: Paint;
  red: Paint;
  bold: Paint;
  dim: Paint;
  alarm: Paint;
}

const plain: Paint = (text) => text;
const sgr =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;
const PLAIN: Palette = {
  green: plain,
  yellow: plain,
  red: plain,
  bold: plain,
  dim: plain,
  alarm: plain,
};
const COLOURED: Palette = {
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  red: sgr(31, 39),
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  alarm: (text) => `\u001b[1;31m${text}\u001b[22;39m`,
};

const SYMBOL = { grant: '+', change: '~', revoke: '-' } as const;
const EMAIL_COLUMN_MAX = 36;
const ACTION_COLUMN_MAX = 44;

/**
 * The plan for a terminal. Data from FreshBooks and the policy (names, emails, reasons) goes
 * through `safe()`: a business name is not allowed to smuggle escape sequences to the terminal.
 */
export function renderPlanText(plan: Plan, options: RenderTextOptions = {}): string {
  const paint = options.color === true ? COLOURED : PLAIN;
  const out: string[] = [];
  out.push(
    paint.bold('rolecall plan') +
      paint.dim(
        ` · ${plan.createdAt} · rolecall ${safe(plan.tool.version)} · ${plan.digest.slice(0, 19)}…`,
      ),
  );
  if (plan.businesses.length === 0) out.push('', 'No business in scope: nothing to plan.');
  for (const business of plan.businesses) {
    out.push('');
    renderBusiness(business, paint, out);
  }
  if (plan.businesses.length > 1) {
    const counts = { grant: 0, change: 0, revoke: 0 };
    for (const business of plan.businesses) {
      const each = countChanges(business.changes);
      counts.grant += each.grant;
      counts.change += each.change;
      counts.revoke += each.revoke;
    }
    out.push(
      '',
      paint.bold(
        `Total: ${counts.grant} to grant, ${counts.change} to change, ${counts.revoke} to revoke in ${plan.businesses.length} businesses.`,
      ),
    );
  }
  const blocked = plan.businesses.filter((business) => !business.applyable);
  if (blocked.length > 0) {
    out.push(
      '',
      paint.alarm(
        `This plan cannot be applied: ${blocked.map((business) => safe(businessTitle(business))).join(', ')} ${
          blocked.length === 1 ? 'has' : 'have'
        } a failed guard without an override.`,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function renderBusiness(business: BusinessPlan, paint: Palette, out: string[]): void {
  out.push(
    paint.bold(safe(businessTitle(business))) +
      paint.dim(
        ` · ${safe(business.policyFile)} @ ${shortSha(business.policyCommit)} · ${business.mode}`,
      ),
  );
  if (!business.applyable) {
    const failed = business.guards.filter((result) => !result.ok && result.override === undefined);
    out.push(
      `  ${paint.alarm(`✗ NOT APPLYABLE: guard ${failed.map((result) => result.guard).join(', ')} failed and the policy records no override`)}`,
    );
  }

  if (business.changes.length === 0) {
    out.push(`  ${noChangesLine({ name: safe(business.name) })}`);
  } else {
    let emailWidth = 0;
    let actionWidth = 0;
    for (const change of business.changes) {
      emailWidth = Math.max(emailWidth, change.email.length);
      actionWidth = Math.max(actionWidth, describeChange(change).length);
    }
    emailWidth = Math.min(emailWidth, EMAIL_COLUMN_MAX);
    actionWidth = Math.min(actionWidth, ACTION_COLUMN_MAX);
    for (const change of business.changes)
      out.push(changeLine(change, emailWidth, actionWidth, paint));
  }

  if (business.unmanaged.length > 0) {
    out.push('', `  Unmanaged (reported, never touched):`);
    for (const member of business.unmanaged) {
      out.push(
        `    ? ${safe(member.email)}  ${safe(roleLabel(member.role))}, ${stateLabel(member.state)}${
          member.reason === undefined ? '' : paint.dim(` — ${safe(member.reason)}`)
        }`,
      );
    }
  }

  out.push('', '  Guards:');
  const guardWidth = Math.max(...business.guards.map((result) => result.guard.length));
  for (const result of business.guards) out.push(guardLine(result, guardWidth, paint));

  if (business.changes.length > 0) {
    out.push('', `  ${paint.bold(summaryLine(countChanges(business.changes)))}`);
  }
}

function changeLine(
  change: Change,
  emailWidth: number,
  actionWidth: number,
  paint: Palette,
): string {
  const colour =
    change.action === 'grant' ? paint.green : change.action === 'change' ? paint.yellow : paint.red;
  const extras: string[] = [];
  if (change.action !== 'revoke' && change.expires !== undefined) {
    extras.push(`until ${displayExpiry(change.expires)}`);
  }
  if (change.ticket !== undefined) extras.push(safe(change.ticket));
  if (change.provisioning === 'manual') extras.push('manual');
  if (change.source !== undefined) extras.push(safe(sourceText(change.source)));
  return `  ${colour(
    `${SYMBOL[change.action]} ${safe(change.email).padEnd(emailWidth)}  ${safe(describeChange(change)).padEnd(actionWidth)}`,
  )}  ${safe(change.reason)}${extras.length === 0 ? '' : paint.dim(` · ${extras.join(' · ')}`)}`;
}

function guardLine(result: GuardResult, width: number, paint: Palette): string {
  const name = result.guard.padEnd(width);
  if (result.ok) return `    ${paint.green('✓')} ${name}  ${safe(result.message)}`;
  if (result.override === undefined) {
    return `    ${paint.red('✗')} ${paint.red(name)}  ${safe(result.message)}`;
  }
  const { reason, ticket, source } = result.override;
  return `    ${paint.yellow('!')} ${paint.yellow(name)}  ${safe(result.message)}\n${' '.repeat(width + 8)}${paint.yellow(
    `overridden: ${safe(reason)} (ticket ${safe(ticket)}, ${safe(sourceText(source))})`,
  )}`;
}

// C0 and C1 control characters, DEL: shown as U+FFFD rather than interpreted by the terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function safe(text: string): string {
  return text.replace(CONTROL, '\ufffd');
}
