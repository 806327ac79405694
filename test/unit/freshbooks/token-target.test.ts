import { describe, expect, it } from 'vitest';
import { describeTarget, normaliseApiUrl } from '../../../src/freshbooks/token-target.js';

describe('normaliseApiUrl', () => {
  it.each([
    ['https://api.freshbooks.com', 'https://api.freshbooks.com'],
    ['https://api.freshbooks.com/', 'https://api.freshbooks.com'],
    ['https://API.FreshBooks.com:443//', 'https://api.freshbooks.com'],
    ['HTTP://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:80/', 'http://127.0.0.1'],
    ['http://127.0.0.1:8081', 'http://127.0.0.1:8081'],
    ['https://proxy.example/freshbooks/', 'https://proxy.example/freshbooks'],
    ['https://user:pass@proxy.example/fb?x=1#y', 'https://proxy.example/fb'],
  ])('%s → %s', (raw, normalised) => {
    expect(normaliseApiUrl(raw)).toBe(normalised);
  });

  it('describes a target without a secret', () => {
    expect(describeTarget({ apiUrl: 'https://api.freshbooks.com', clientId: 'abc' })).toBe(
      'https://api.freshbooks.com (client abc)',
    );
  });
});
