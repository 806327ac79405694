/**
 * A small collecting validator: each check records `path: message` instead of throwing, so a
 * seed's problems are all reported in one pass.
 */
import { isEmail, normalizeEmail } from './model.js';

export type Json = Record<string, unknown>;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export class Checker {
  readonly problems: string[] = [];

  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  object(value: unknown, path: string): Json | null {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.fail(path, 'must be an object');
    return null;
  }

  array(value: unknown, path: string, optional = false): unknown[] {
    if (value === undefined && optional) return [];
    if (Array.isArray(value)) return value;
    this.fail(path, 'must be an array');
    return [];
  }

  keys(obj: Json, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, 'is not a known field');
    }
  }

  id(obj: Json, key: string, path: string, optional = false): number | undefined {
    const value = obj[key];
    if (value === undefined && optional) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    this.fail(`${path}.${key}`, 'must be a positive integer');
    return undefined;
  }

  /** A whole number ≥ 0 (a count, where 0 means none), or null when `nullable`. */
  count(obj: Json, key: string, path: string, opts: { nullable?: boolean } = {}) {
    const value = obj[key];
    if (value === undefined || (value === null && opts.nullable)) return undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    this.fail(`${path}.${key}`, `must be a whole number ≥ 0${opts.nullable ? ' or null' : ''}`);
    return undefined;
  }

  text(
    obj: Json,
    key: string,
    path: string,
    opts: { optional?: boolean; nullable?: boolean } = {},
  ) {
    const value = obj[key];
    if (value === undefined && opts.optional) return undefined;
    if (value === null && opts.nullable) return null;
    if (typeof value === 'string' && value.trim() !== '') return value;
    const kind = opts.nullable ? 'a non-empty string or null' : 'a non-empty string';
    this.fail(`${path}.${key}`, `must be ${kind}`);
    return undefined;
  }

  instant(obj: Json, key: string, path: string, nullable = false): void {
    const value = obj[key];
    if (value === undefined || (value === null && nullable)) return;
    if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
      this.fail(`${path}.${key}`, 'must be an ISO-8601 UTC instant like 2024-01-15T14:00:00Z');
    }
  }

  email(obj: Json, key: string, path: string): string | undefined {
    const value = this.text(obj, key, path) ?? undefined;
    if (value !== undefined && !isEmail(value)) {
      this.fail(`${path}.${key}`, `"${value}" is not an email address`);
      return undefined;
    }
    return value === undefined ? undefined : normalizeEmail(value);
  }
}
