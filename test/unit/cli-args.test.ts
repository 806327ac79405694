import { describe, expect, it } from 'vitest';
import {
  businessIdOption,
  businessIdsOption,
  formatOption,
  integerOption,
  rateOption,
} from '../../src/cli/args.js';
import { UsageError } from '../../src/errors.js';

describe('shared option parsers', () => {
  it.each([
    ['240340', 240340],
    ['1', 1],
  ])('--business %s is %d', (value, expected) => {
    expect(businessIdOption(value)).toBe(expected);
  });

  it.each(['0', '-1', '12a', '1.5', '', '99999999999999999'])(
    '--business %j is a usage error naming the option',
    (value) => {
      expect(() => businessIdOption(value)).toThrow(UsageError);
      expect(() => businessIdOption(value)).toThrow(/--business must be a numeric business id/);
    },
  );

  it.each([
    ['20', 20],
    ['0.5', 0.5],
    [undefined, undefined],
  ])('--rate %s is %s', (value, expected) => {
    expect(rateOption(value)).toBe(expected);
  });

  it.each(['0', '-3', 'fast', '1e3', ''])('--rate %j is a usage error', (value) => {
    expect(() => rateOption(value)).toThrow(/--rate must be a positive number/);
  });

  it('integerOption accepts whole numbers only', () => {
    expect(integerOption('concurrency', '4')).toBe(4);
    expect(integerOption('concurrency', undefined)).toBeUndefined();
    expect(() => integerOption('concurrency', '4.5')).toThrow(
      /--concurrency must be a whole number/,
    );
  });

  it('--business, repeatable: every id parsed, none given is an empty list', () => {
    expect(businessIdsOption(['240340', '7'])).toEqual([240340, 7]);
    expect(businessIdsOption(undefined)).toEqual([]);
    expect(() => businessIdsOption(['1', 'x'])).toThrow(/--business must be a numeric/);
  });

  it('--format: one of the allowed formats, or one message listing them', () => {
    expect(formatOption('json', ['text', 'markdown', 'json'])).toBe('json');
    expect(() => formatOption('html', ['text', 'markdown', 'json'])).toThrow(
      new UsageError('--format must be text, markdown or json, got "html"'),
    );
    expect(() => formatOption('json', ['text', 'markdown'])).toThrow(
      '--format must be text or markdown, got "json"',
    );
  });
});
