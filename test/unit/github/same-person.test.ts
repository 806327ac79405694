/**
 * The address normaliser of identity.ts (issue 13, item 5): when the approval gate takes a
 * GitHub user to own an email. A match only ever removes an approver, so the table holds the
 * matches that must be found as well as the near misses that must stay apart.
 */
import { describe, expect, it } from 'vitest';
import {
  nameKey,
  normalizeMailbox,
  noreplyLogin,
  ownsMailbox,
} from '../../../src/github/identity.js';

describe('normalizeMailbox', () => {
  it.each([
    ['maya@acme.example', 'maya@acme.example'],
    ['  Maya@Acme.Example ', 'maya@acme.example'],
    ['maya+fb@acme.example', 'maya@acme.example'],
    ['maya+fb+2@acme.example', 'maya@acme.example'],
    ['maya@acme.example.', 'maya@acme.example'],
    ['MAYA+FB@ACME.EXAMPLE.', 'maya@acme.example'],
    // A local part that starts with "+" has no tag to drop (nothing would be left).
    ['+fb@acme.example', '+fb@acme.example'],
    // GitHub's no-reply addresses keep their id+login form.
    ['123+Maya@users.noreply.github.com', '123+maya@users.noreply.github.com'],
    ['not-an-address', 'not-an-address'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMailbox(input)).toBe(expected);
  });
});

describe('nameKey', () => {
  it.each([
    ['maya-park', 'maya-park'],
    ['Maya.Park', 'maya-park'],
    ['maya_park', 'maya-park'],
    ['MAYA', 'maya'],
  ])('%j → %j', (input, expected) => {
    expect(nameKey(input)).toBe(expected);
  });
});

describe('noreplyLogin', () => {
  it.each([
    ['123+octo@users.noreply.github.com', 'octo'],
    ['octo@users.noreply.github.com', 'octo'],
    ['29139614+renovate[bot]@users.noreply.github.com', 'renovate[bot]'],
    ['123+octo@users.noreply.github.com.', 'octo'],
    ['octo@acme.example', null],
    ['noreply@github.com', null],
  ])('%j → %j', (input, expected) => {
    expect(noreplyLogin(input)).toBe(expected);
  });
});

describe('ownsMailbox', () => {
  const rows: Array<[string, string[], string, boolean, string]> = [
    ['maya', [], 'maya@acme.example', true, 'the local part is the login'],
    ['maya', [], 'maya+fb@acme.example', true, 'a +tag on the login'],
    ['maya', [], 'Maya+FB@Acme.Example.', true, 'case, +tag and trailing dot at once'],
    ['maya-park', [], 'maya.park@acme.example', true, '. and - alike'],
    ['maya-park', [], 'maya_park+fb@acme.example', true, '_ and - alike, with a tag'],
    ['maya-park', [], 'mayapark@acme.example', false, 'a missing separator is another name'],
    ['mp', ['maya@acme.example'], 'maya+fb@acme.example.', true, 'a known address, sub-addressed'],
    ['mp', ['Maya+old@Acme.example'], 'maya@acme.example', true, 'a known address with a tag'],
    ['mp', ['maya@acme.example'], 'maya@other.example', false, 'same local part, other domain'],
    ['octo', [], '123+octo@users.noreply.github.com', true, 'their no-reply address'],
    ['octo', [], '123+someone@users.noreply.github.com', false, 'someone else’s no-reply'],
    ['123', [], '123+octo@users.noreply.github.com', false, 'the id of a no-reply is no login'],
    ['ben', ['ben@acme.example'], 'maya@acme.example', false, 'another person'],
    ['maya', [], 'mayak@acme.example', false, 'a longer local part'],
  ];
  it.each(rows)('%s %j owns %s: %s (%s)', (login, known, email, expected) => {
    expect(ownsMailbox(login, known, email)).toBe(expected);
  });
});
