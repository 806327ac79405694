/**
 * The body of an issue made from `.github/ISSUE_TEMPLATE/request-access.yml`, read as data.
 *
 * GitHub renders an issue form as one `### Label` heading per field followed by the answer
 * (`_No response_` for an empty optional field). The body is attacker-controlled — anyone who
 * can open an issue writes it, and can edit it into anything — so this parser is strict: every
 * section must be one of the form's, at most once, each answer within its size and character
 * limits. Whatever it refuses is listed, field by field, for the status comment; nothing of the
 * body is ever interpreted (no shell, no template, no markdown is rendered from it unescaped).
 */

/** The form's fields, in its order; `label` is the heading GitHub renders (the form's `label`). */
export const REQUEST_FORM_FIELDS = [
  { id: 'business', label: 'Business', required: true, max: 120 },
  { id: 'role', label: 'Role', required: true, max: 40 },
  { id: 'email', label: 'Email', required: true, max: 254 },
  { id: 'duration', label: 'Duration', required: false, max: 20 },
  { id: 'until', label: 'Until', required: false, max: 40 },
  { id: 'reason', label: 'Reason', required: true, max: 500 },
  { id: 'ticket', label: 'Ticket', required: false, max: 80 },
] as const;

export type RequestFormFieldId = (typeof REQUEST_FORM_FIELDS)[number]['id'];

export type RequestFormFields = Partial<Record<RequestFormFieldId, string>>;

export interface ParsedRequestForm {
  /** The answers given (empty answers are absent), trimmed; `reason` on one line. */
  fields: RequestFormFields;
  /** One line per problem, naming the field; empty when the form can be used. */
  problems: string[];
}

/** What GitHub writes for an optional field left empty. */
export const NO_RESPONSE = '_No response_';

/** Far above any honest form (seven short answers), far below GitHub's 65,536-character body. */
export const MAX_BODY_CHARS = 8_000;

// Anything that could become code somewhere down the line: shell command substitution and
// parameter expansion, GitHub expression syntax, HTML, markdown links and images. None of it
// belongs in a reason or a name; refusing it keeps the text inert wherever it is copied to.
const HOSTILE: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /`/, what: 'a backtick (`)' },
  { pattern: /\$[({]/, what: 'shell or template syntax ($( or ${)' },
  { pattern: /\{\{|\}\}/, what: 'template braces ({{ or }})' },
  { pattern: /[<>]/, what: 'HTML (< or >)' },
  { pattern: /\]\(|!\[/, what: 'a markdown link or image' },
];

// C0/C1 controls, DEL, bidirectional overrides and line/paragraph separators: invisible text
// that would make what a reviewer reads differ from what is written. Tab and newline are
// handled per field.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Single-line answers with a narrow alphabet (checked again, fully, by the policy's rules). */
const SHAPES: Partial<Record<RequestFormFieldId, { pattern: RegExp; hint: string }>> = {
  role: { pattern: /^[a-z_]+$/, hint: 'one of the roles the form lists' },
  email: { pattern: /^[^\s@]+@[^\s@]+$/, hint: 'one e-mail address' },
  duration: {
    pattern: /^[0-9]{1,6}[a-z]{1,2}$/,
    hint: 'a whole number and a unit: 30m, 8h, 14d, 2w',
  },
  until: {
    pattern: /^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/,
    hint: 'a date (2026-12-31) or a date-time with an offset (2026-12-01T18:00:00+01:00)',
  },
  ticket: {
    pattern: /^[A-Za-z0-9._:#/@+-]+( [A-Za-z0-9._:#/@+-]+)*$/,
    hint: 'letters, digits and . _ : # / @ + - (like FIN-99)',
  },
};

/** The text of an answer shown back in a problem: short, one line, quoted. */
function shown(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 40 ? `${flat.slice(0, 40)}…` : flat);
}

function fieldOf(heading: string) {
  const wanted = heading.trim().toLowerCase();
  return REQUEST_FORM_FIELDS.find((f) => f.label.toLowerCase() === wanted);
}

/**
 * The answers of a request form, or the problems that make it unusable. Pure: the caller
 * decides what a problem means (the status comment lists them; nothing is requested).
 */
export function parseRequestForm(body: string | null | undefined): ParsedRequestForm {
  const text = (body ?? '').replace(/\r\n?/g, '\n');
  if (text.length > MAX_BODY_CHARS) {
    return {
      fields: {},
      problems: [
        `the issue body is ${text.length.toLocaleString('en-US')} characters; a request form is at most ${MAX_BODY_CHARS.toLocaleString('en-US')}. Make it again from the form`,
      ],
    };
  }
  const problems: string[] = [];
  const raw = new Map<RequestFormFieldId, string[]>();
  // `rejected`: the lines under a heading already refused (their problem is said once).
  let current: RequestFormFieldId | 'rejected' | null = null;
  let preamble = false;
  for (const line of text.split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading && line.startsWith('###') && !line.startsWith('####')) {
      const field = fieldOf(heading[1] ?? '');
      if (!field) {
        problems.push(
          `the body has a section ${shown(heading[1] ?? '')} that the form does not have: the answers must be the form's sections only (no headings inside an answer)`,
        );
        current = 'rejected';
        continue;
      }
      if (raw.has(field.id)) {
        problems.push(`${field.label} appears more than once: keep one answer per field`);
        current = 'rejected';
        continue;
      }
      raw.set(field.id, []);
      current = field.id;
      continue;
    }
    if (current === null) {
      if (line.trim() !== '') preamble = true;
      continue;
    }
    if (current === 'rejected') continue;
    raw.get(current)?.push(line);
  }
  if (preamble) {
    problems.push('the body has text outside the form’s sections: make the issue from the form');
  }

  const fields: RequestFormFields = {};
  for (const field of REQUEST_FORM_FIELDS) {
    const lines = raw.get(field.id);
    const value = (lines ?? []).join('\n').trim();
    const given = value !== '' && value !== NO_RESPONSE;
    if (!given) {
      if (field.required) {
        problems.push(
          lines === undefined
            ? `${field.label} is missing: make the issue from the form`
            : `${field.label} is required`,
        );
      }
      continue;
    }
    if (value.length > field.max) {
      problems.push(
        `${field.label} is ${value.length} characters; at most ${field.max} are accepted`,
      );
      continue;
    }
    if (INVISIBLE.test(value) || (field.id !== 'reason' && /[\n\t]/.test(value))) {
      problems.push(
        `${field.label} holds ${field.id === 'reason' ? 'control or invisible characters' : 'line breaks, tabs or invisible characters'}: write it on one line, as plain text`,
      );
      continue;
    }
    const hostile = HOSTILE.find((h) => h.pattern.test(value));
    if (hostile) {
      problems.push(`${field.label} contains ${hostile.what}: write it as plain text`);
      continue;
    }
    const shape = SHAPES[field.id];
    if (shape && !shape.pattern.test(value)) {
      problems.push(`${field.label} ${shown(value)} is not ${shape.hint}`);
      continue;
    }
    fields[field.id] = field.id === 'reason' ? value.replace(/\s+/g, ' ') : value;
  }
  return { fields, problems };
}
