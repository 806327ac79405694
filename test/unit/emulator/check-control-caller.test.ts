import { describe, expect, it } from 'vitest';
import {
  hostName,
  isJsonMediaType,
  isLoopbackHost,
  isLoopbackOrigin,
} from '../../../src/emulator/check-control-caller.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.0.0.1:8080', true],
    ['localhost', true],
    ['LocalHost:1', true],
    ['[::1]', true],
    ['[::1]:65535', true],
    ['evil.example', false],
    ['evil.example:8080', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.evil.example', false],
    ['localhost.', false],
    ['127.0.0.2', false],
    ['0.0.0.0', false],
    ['::1', false], // a bare IPv6 literal is not a valid Host
    ['localhost:80:80', false],
    ['localhost:port', false],
    ['user@localhost', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('keeps the brackets of an IPv6 literal', () => {
    expect(hostName('[::1]:9')).toBe('[::1]');
    expect(hostName('Example.COM:9')).toBe('example.com');
  });
});

describe('isLoopbackOrigin', () => {
  it.each([
    ['http://127.0.0.1:5173', true],
    ['http://localhost', true],
    ['https://localhost:8443', true],
    ['http://[::1]:3000', true],
    ['http://evil.example', false],
    ['http://localhost@evil.example', false],
    ['http://localhost.evil.example', false],
    ['null', false],
    ['file://', false],
    ['chrome-extension://abc', false],
    ['', false],
  ])('%s → %s', (origin, expected) => {
    expect(isLoopbackOrigin(origin)).toBe(expected);
  });
});

describe('isJsonMediaType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    [' application/json ', true],
    ['text/plain', false],
    ['application/jsonp', false],
    ['application/x-www-form-urlencoded', false],
    ['multipart/form-data; boundary=x', false],
    ['text/plain; application/json', false],
    ['', false],
  ])('%s → %s', (type, expected) => {
    expect(isJsonMediaType(type)).toBe(expected);
  });
});
