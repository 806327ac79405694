/**
 * Every check is documented where a user looks: `rolecall doctor --help`, the doctor section of
 * .github/workflows/README.md, and (for every setting the security model recommends) the
 * security model, which names its check.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateDoctor } from '../../../src/doctor/index.js';
import { main } from '../../../src/cli/main.js';
import { packagePath } from '../../../src/paths.js';
import { bufferIo } from '../../support/buffer-io.js';
import { facts } from './builders.js';

const IDS = evaluateDoctor(facts()).map((r) => r.id);
const read = (...path: string[]) => readFileSync(packagePath(...path), 'utf8');

describe('the documentation of the doctor', () => {
  it('--help names every check', async () => {
    const io = bufferIo();
    expect(await main(['doctor', '--help'], io)).toBe(0);
    for (const id of IDS) expect(io.out(), id).toContain(id);
  });

  it('the workflows README has a row for every check', () => {
    const readme = read('.github', 'workflows', 'README.md');
    for (const id of IDS)
      expect(readme, id).toMatch(new RegExp(`^\\| \`${id.replace('.', '\\.')}\` +\\|`, 'm'));
  });

  it('the security model links every setting it recommends to its check, and names no other', () => {
    const model = read('.github', 'SECURITY-MODEL.md');
    const section = model.slice(model.indexOf('## GitHub settings you must turn on'));
    const named = new Set(
      [
        ...section.matchAll(
          /`((?:branch|codeowners|workflows|environment|secrets|actions|freshbooks)\.[a-z-]+)`/g,
        ),
      ].map((m) => m[1]),
    );
    expect([...named].sort()).toEqual(IDS.filter((id) => id !== 'policies').sort());
  });

  it('the README’s settings list names the check of each GitHub setting', () => {
    const readme = read('README.md');
    const start = readme.indexOf('### GitHub settings you must turn on');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const named = [
      ...section.matchAll(/`((?:branch|codeowners|environment|secrets|actions)\.[a-z-]+)`/g),
    ]
      .map((m) => m[1])
      .sort();
    const github = IDS.filter((id) => /^(branch|codeowners\.errors|environment|actions)/.test(id));
    for (const id of github) expect(named, id).toContain(id);
    for (const id of named) expect(IDS).toContain(id);
  });
});
