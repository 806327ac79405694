/**
 * The policy's `identities:` key (issue 13, item 5): "this GitHub login is the person with these
 * emails", for the approval gate. Validated like every key (positions `file:line:col`), and
 * normalised into `BusinessPolicy.identities` — part of the policy digest, since it decides
 * whose approval counts.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/policy/format-diagnostic.js';
import { validateDocuments } from '../../../src/policy/validate-documents.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const BASE = 'business: 1\nmembers:\n  - email: maya@acme.example\n    role: manager\n';

function validate(yaml: string) {
  return validateDocuments([{ file: 'policies/a.yaml', text: yaml }], { now: NOW });
}

describe('identities: validation', () => {
  it.each([
    {
      name: 'a login GitHub would not accept',
      yaml: `${BASE}identities:\n  - github: -maya\n    emails: [maya@acme.example]\n`,
      expected:
        'policies/a.yaml:6:13: error INVALID_VALUE identities[0].github must be a GitHub login, got the text "-maya"',
    },
    {
      name: 'an invalid email',
      yaml: `${BASE}identities:\n  - github: maya-park\n    emails: [maya@acme.example, maya.acme.example]\n`,
      expected:
        'policies/a.yaml:7:33: error INVALID_EMAIL identities: "maya.acme.example" is not a valid email address: it has no @',
    },
    {
      name: 'a look-alike email',
      yaml: `${BASE}identities:\n  - github: maya-park\n    emails: [mаya@acme.example]\n`,
      expected:
        'policies/a.yaml:7:14: error NON_ASCII_EMAIL identities: email "m\\u{0430}ya@acme.example" contains U+0430 (Cyrillic, a look-alike of a Latin letter) at character 2; only ASCII addresses are accepted (look-alike and invisible characters are refused)',
    },
    {
      name: 'the same login twice, in another case',
      yaml: `${BASE}identities:\n  - github: maya-park\n    emails: [maya@acme.example]\n  - github: Maya-Park\n    emails: [mp@acme.example]\n`,
      expected:
        'policies/a.yaml:8:13: error DUPLICATE_IDENTITY GitHub login "Maya-Park" is listed twice in identities (first at line 6); list each login once, with all of its emails',
    },
    {
      name: 'no emails',
      yaml: `${BASE}identities:\n  - github: maya-park\n    emails: []\n`,
      expected:
        'policies/a.yaml:7:13: error SCHEMA identities[0].emails must NOT have fewer than 1 items',
    },
    {
      name: 'an unknown key in an entry',
      yaml: `${BASE}identities:\n  - github: maya-park\n    email: maya@acme.example\n`,
      expected: 'policies/a.yaml:7:5',
    },
  ])('$name', ({ yaml, expected }) => {
    const result = validate(yaml);
    expect(result.value).toBeUndefined();
    expect(result.errors.map(formatDiagnostic).join('\n')).toContain(expected);
  });
});

describe('identities: normalised', () => {
  it('lower-cases logins and emails, sorts them, and keeps +tags for the gate to compare', () => {
    const result = validate(
      `${BASE}identities:\n  - github: Zed\n    emails: [Z@Acme.example]\n  - github: Maya-Park\n    emails: [Maya+FB@Acme.example, maya@acme.example]\n`,
    );
    expect(result.errors).toEqual([]);
    expect(result.value?.businesses[0]?.identities).toEqual([
      { login: 'maya-park', emails: ['maya+fb@acme.example', 'maya@acme.example'] },
      { login: 'zed', emails: ['z@acme.example'] },
    ]);
  });

  it('is absent without the key, and part of the digest with it', () => {
    const without = validate(BASE).value?.businesses[0];
    const withKey = validate(
      `${BASE}identities:\n  - github: maya-park\n    emails: [maya@acme.example]\n`,
    ).value?.businesses[0];
    const other = validate(
      `${BASE}identities:\n  - github: maya-park\n    emails: [mp@acme.example]\n`,
    ).value?.businesses[0];
    expect(without).toBeDefined();
    expect(without?.identities).toBeUndefined();
    expect(withKey?.digest).not.toBe(without?.digest);
    expect(other?.digest).not.toBe(withKey?.digest);
  });
});
