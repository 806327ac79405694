/**
 * 5. Cold start: `rolecall validate` on `policies/` and `rolecall --help` as separate
 * processes, what every CI step pays before doing anything, against a bare `node -e 0`. Runs
 * alternate so that machine load hits all three alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { packagePath, PACKAGE_ROOT } from '../../src/paths.js';
import { figure, median, type Figure } from './figures.js';
import { progress } from './support.js';

const SECTION = '5. Cold start';

function wallOf(args: string[]): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (child.status !== 0) {
    throw new Error(`cold start: node ${args.join(' ')} exited ${child.status}: ${child.stderr}`);
  }
  return ms;
}

export async function benchColdStart(runs: number): Promise<Figure[]> {
  const cli = packagePath('dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  progress(`cold start, ${runs} runs each`);
  // One unmeasured run of each warms the file-system cache.
  wallOf(['-e', '0']);
  wallOf([cli, 'validate']);
  wallOf([cli, '--help']);
  const bare: number[] = [];
  const validate: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(wallOf(['-e', '0']));
    validate.push(wallOf([cli, 'validate']));
    help.push(wallOf([cli, '--help']));
  }
  const precompiled = existsSync(packagePath('dist', 'validators', 'policy.cjs'));
  const bareS = median(bare) / 1000;
  const validateS = median(validate) / 1000;
  const helpS = median(help) / 1000;
  return Promise.resolve([
    figure({
      id: 'coldStart.validate',
      section: SECTION,
      label: '`rolecall validate` on policies/: process wall time',
      value: validateS,
      unit: 's',
      compare: { label: 'node -e 0', value: bareS },
      goal: { on: 'value', op: '<=', target: 0.5 },
      samples: validate.map((ms) => ms / 1000),
      note: `rolecall's own share: ${Math.round((validateS - bareS) * 1000)} ms over a bare node start; ${precompiled ? 'with the validators the build precompiles (dist/validators)' : 'NO precompiled validators in dist/validators: ajv compiles at start-up'}`,
    }),
    figure({
      id: 'coldStart.help',
      section: SECTION,
      label: '`rolecall --help`: process wall time',
      value: helpS,
      unit: 's',
      compare: { label: 'node -e 0', value: bareS },
      samples: help.map((ms) => ms / 1000),
      note: `rolecall's own share: ${Math.round((helpS - bareS) * 1000)} ms over a bare node start`,
    }),
    figure({
      id: 'coldStart.node',
      section: SECTION,
      label: 'bare `node -e 0`',
      value: bareS,
      unit: 's',
      samples: bare.map((ms) => ms / 1000),
    }),
  ]);
}
