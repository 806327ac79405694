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
import { describeSeats, seatsWorthShowing } from '../seats.js';
import { displayExpiry } from './expiry.js';
import { paletteFor, terminalSafe, type Palette } from './terminal-text.js';

export interface RenderTextOptions {
  /** ANSI colour. The CLI decides (TTY and no `NO_COLOR`); the renderer never looks. */
  color?: boolean;
}

const SYMBOL = { grant: '+', change: '~', revoke: '-' } as const;
const EMAIL_COLUMN_MAX = 36;
const ACTION_COLUMN_MAX = 44;

/**
 * The plan for a terminal. Data from FreshBooks and the policy (names, emails, reasons) goes
 * through `terminalSafe()`: a business name is not allowed to smuggle escape sequences to the
 * terminal.
 */
export function renderPlanText(plan: Plan, options: RenderTextOptions = {}): string {
  const paint = paletteFor(options.color === true);
  const out: string[] = [];
  out.push(
    paint.bold('rolecall plan') +
      paint.dim(
        ` · ${plan.createdAt} · rolecall ${terminalSafe(plan.tool.version)} · ${plan.digest.slice(0, 19)}…`,
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
        `This plan cannot be applied: ${blocked.map((business) => terminalSafe(businessTitle(business))).join(', ')} ${
          blocked.length === 1 ? 'has' : 'have'
        } a failed guard without an override.`,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function renderBusiness(business: BusinessPlan, paint: Palette, out: string[]): void {
  out.push(
    paint.bold(terminalSafe(businessTitle(business))) +
      paint.dim(
        ` · ${terminalSafe(business.policyFile)} @ ${shortSha(business.policyCommit)} · ${business.mode}`,
      ),
  );
  if (!business.applyable) {
    const failed = business.guards.filter((result) => !result.ok && result.override === undefined);
    out.push(
      `  ${paint.alarm(`✗ NOT APPLYABLE: guard ${failed.map((result) => result.guard).join(', ')} failed and the policy records no override`)}`,
    );
  }

  if (business.changes.length === 0) {
    out.push(`  ${noChangesLine({ name: terminalSafe(business.name) })}`);
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
        `    ? ${terminalSafe(member.email)}  ${terminalSafe(roleLabel(member.role))}, ${stateLabel(member.state)}${
          member.reason === undefined ? '' : paint.dim(` — ${terminalSafe(member.reason)}`)
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
  if (seatsWorthShowing(business.seats)) {
    const over = business.seats.limit !== undefined && business.seats.after > business.seats.limit;
    const line = `Seats: ${describeSeats(business.seats)}`;
    out.push(`${business.changes.length > 0 ? '' : '\n'}  ${over ? paint.alarm(line) : line}`);
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
  if (change.ticket !== undefined) extras.push(terminalSafe(change.ticket));
  if (change.provisioning === 'manual') extras.push('manual');
  if (change.source !== undefined) extras.push(terminalSafe(sourceText(change.source)));
  return `  ${colour(
    `${SYMBOL[change.action]} ${terminalSafe(change.email).padEnd(emailWidth)}  ${terminalSafe(describeChange(change)).padEnd(actionWidth)}`,
  )}  ${terminalSafe(change.reason)}${extras.length === 0 ? '' : paint.dim(` · ${extras.join(' · ')}`)}`;
}

function guardLine(result: GuardResult, width: number, paint: Palette): string {
  const name = result.guard.padEnd(width);
  if (result.ok) return `    ${paint.green('✓')} ${name}  ${terminalSafe(result.message)}`;
  if (result.override === undefined) {
    return `    ${paint.red('✗')} ${paint.red(name)}  ${terminalSafe(result.message)}`;
  }
  const { reason, ticket, source } = result.override;
  return `    ${paint.yellow('!')} ${paint.yellow(name)}  ${terminalSafe(result.message)}\n${' '.repeat(width + 8)}${paint.yellow(
    `overridden: ${terminalSafe(reason)} (ticket ${terminalSafe(ticket)}, ${terminalSafe(sourceText(source))})`,
  )}`;
}
