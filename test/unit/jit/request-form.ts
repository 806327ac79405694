/** Issue bodies as GitHub renders the request form (`### Label`, blank line, answer). */
import { NO_RESPONSE } from '../../../src/jit/parse-issue-form.js';

/** An answer left `undefined` is an empty field. */
export interface FormAnswers {
  business?: string | undefined;
  role?: string | undefined;
  email?: string | undefined;
  duration?: string | undefined;
  until?: string | undefined;
  reason?: string | undefined;
  ticket?: string | undefined;
}

export const GOOD_ANSWERS: FormAnswers = {
  business: '240340',
  role: 'contractor',
  email: 'temp@contractors.example',
  duration: '8h',
  reason: 'Quarter close',
  ticket: 'FIN-99',
};

const LABELS: Array<[keyof FormAnswers, string]> = [
  ['business', 'Business'],
  ['role', 'Role'],
  ['email', 'Email'],
  ['duration', 'Duration'],
  ['until', 'Until'],
  ['reason', 'Reason'],
  ['ticket', 'Ticket'],
];

/** The body GitHub writes for these answers; an absent answer is GitHub's `_No response_`. */
export function formBody(answers: FormAnswers = GOOD_ANSWERS, newline = '\n'): string {
  return LABELS.map(
    ([key, label]) => `### ${label}${newline}${newline}${answers[key] ?? NO_RESPONSE}`,
  ).join(`${newline}${newline}`);
}
