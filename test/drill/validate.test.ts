import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  EXPERIMENTS_DIR,
  ExperimentError,
  loadExperiment,
  parseExperiment,
  SCHEMA_PATH,
} from '../../src/drill/load.ts';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';

const HEAD = 'version: 1\ntitle: x\n';
const instances = 'instances:\n  v: { pick: one-in-service }\n';

/** The problem an experiment text has: where (pointer, line) and what was expected. */
function problemOf(text: string, file = 'drill.yaml', target?: 'local' | 'aws') {
  try {
    parseExperiment(file, text, target);
  } catch (error: unknown) {
    if (error instanceof ExperimentError)
      return {
        message: error.message,
        pointer: error.problem.pointer,
        line: error.problem.line,
        code: error.code,
      };
    throw error;
  }
  throw new Error('the experiment was accepted');
}

describe('experiment files', () => {
  it('the shipped schema is a valid JSON Schema, and every shipped experiment satisfies it', () => {
    const ajv = new Ajv({ discriminator: true, strict: true });
    expect(() => ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')))).not.toThrow();
    const files = readdirSync(EXPERIMENTS_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(
      expect.arrayContaining([
        'seven-stages.yaml',
        'hang-one-instance.yaml',
        'throttled-replacement.yaml',
        'slow-dependency.yaml',
      ]),
    );
    for (const f of files)
      expect(loadExperiment(join(EXPERIMENTS_DIR, f), 'local').method.length).toBeGreaterThan(0);
  });

  it('the built-in experiment has the seven stages, with the stage 4 instance chosen by one selector', () => {
    const seven = loadExperiment(join(EXPERIMENTS_DIR, 'seven-stages.yaml'), 'aws');
    expect(seven.method.map((s) => s.title)).toEqual([
      'Initial state',
      'Broken dependency',
      'Static response',
      'Bad credentials',
      'Deep health checks',
      'Replace the failing instance',
      'Fail open',
    ]);
    expect(Object.keys(seven.instances ?? {})).toEqual(['bad']);
  });

  it('JSON is read as well as YAML, with lines', () => {
    const json = `{\n  "version": 1,\n  "title": "x",\n  "method": [\n    { "title": "a", "actions": [ { "action": "wait", "seconds": -1 } ] }\n  ]\n}\n`;
    expect(problemOf(json, 'drill.json')).toMatchObject({
      pointer: '/method/0/actions/0/seconds',
      line: 5,
      message: expect.stringMatching(
        /^drill\.json:5:\d+: \/method\/0\/actions\/0\/seconds: out of range: -1 must be >= 0$/,
      ),
    });
    expect(parseExperiment('ok.json', '{"version": 1, "title": "x", "method": [{"title": "a"}]}').title).toBe(
      'x',
    );
  });

  const CASES: [string, string, { pointer: string; line: number; expected: RegExp }, ('local' | 'aws')?][] = [
    [
      'a malformed file',
      `${HEAD}method: [\n  {title: a\n`,
      { pointer: '', line: 5, expected: /malformed YAML/ },
    ],
    [
      'an unknown action',
      `${HEAD}method:\n  - title: a\n    actions:\n      - action: explode\n`,
      {
        pointer: '/method/0/actions/0/action',
        line: 6,
        expected: /unknown action "explode": expected one of set-parameter, swap-profile/,
      },
    ],
    [
      'a wrong type',
      `${HEAD}method:\n  - title: a\n    actions:\n      - action: wait\n        seconds: soon\n`,
      { pointer: '/method/0/actions/0/seconds', line: 7, expected: /expected number, found string "soon"/ },
    ],
    [
      'a tolerance out of range',
      `${HEAD}method:\n  - title: a\n    expect:\n      - probe: requests\n        name: n\n        real: { min: 1.5 }\n`,
      { pointer: '/method/0/expect/0/real/min', line: 8, expected: /out of range: 1\.5 must be <= 1/ },
    ],
    [
      'a tolerance that nothing can match',
      `${HEAD}method:\n  - title: a\n    expect:\n      - { probe: requests, name: n, 5xx: { min: 0.9, max: 0.1 } }\n`,
      { pointer: '/method/0/expect/0/5xx', line: 6, expected: /min 0\.9 is above max 0\.1/ },
    ],
    [
      'a selector that matches nothing',
      `${HEAD}${instances}method:\n  - title: a\n    actions:\n      - { action: terminate, instance: ghost }\n`,
      {
        pointer: '/method/0/actions/0/instance',
        line: 8,
        expected: /selector 'ghost' matches nothing: defined: v/,
      },
    ],
    [
      'a check whose selector matches nothing',
      `${HEAD}method:\n  - title: a\n    expect:\n      - { probe: targets, name: n, instance: { select: ghost, state: unhealthy } }\n`,
      {
        pointer: '/method/0/expect/0/instance/select',
        line: 6,
        expected: /selector 'ghost' matches nothing/,
      },
    ],
    [
      'a requests check whose onlyFrom selector matches nothing',
      `${HEAD}${instances}method:\n  - title: a\n    expect:\n      - probe: requests\n        name: n\n        onlyFrom:\n          static: ghost\n`,
      {
        pointer: '/method/0/expect/0/onlyFrom/static',
        line: 11,
        expected: /selector 'ghost' matches nothing: defined: v/,
      },
    ],
    [
      'an onlyFrom for an outcome that names no instance',
      `${HEAD}${instances}method:\n  - title: a\n    expect:\n      - { probe: requests, name: n, onlyFrom: { 5xx: v } }\n`,
      {
        pointer: '/method/0/expect/0/onlyFrom/5xx',
        line: 8,
        expected: /unknown key '5xx': expected one of real, static/,
      },
    ],
    [
      'a local-only action on aws',
      `${HEAD}${instances}method:\n  - title: a\n    actions:\n      - { action: fault, instance: v, fault: hang }\n`,
      { pointer: '/method/0/actions/0/action', line: 8, expected: /'fault' runs on the local cloud only/ },
      'aws',
    ],
    [
      'a local-only action in an experiment that may run on aws',
      `${HEAD}method:\n  - title: a\n    actions:\n      - { action: api-faults, throttle: 0.1 }\n`,
      { pointer: '/method/0/actions/0/action', line: 6, expected: /expected targets: \[local\]/ },
    ],
    [
      'an experiment for the local cloud run on aws',
      `${HEAD}targets: [local]\nmethod:\n  - title: a\n`,
      { pointer: '/targets', line: 3, expected: /runs on local, not on aws/ },
      'aws',
    ],
    [
      'an unknown key',
      `${HEAD}method:\n  - title: a\n    actoins: []\n`,
      {
        pointer: '/method/0/actoins',
        line: 5,
        expected: /unknown key 'actoins': expected one of title, text, actions/,
      },
    ],
    [
      'a parameter value its parameter does not take',
      `${HEAD}method:\n  - title: a\n    actions:\n      - { action: set-parameter, parameter: health-check, value: deeep }\n`,
      {
        pointer: '/method/0/actions/0/value',
        line: 6,
        expected: /health-check must be one of shallow, deep, found "deeep"/,
      },
    ],
    [
      'an unknown probe',
      `${HEAD}method:\n  - title: a\n    expect:\n      - { probe: vibes, name: n }\n`,
      {
        pointer: '/method/0/expect/0/probe',
        line: 6,
        expected: /unknown probe "vibes": expected one of requests, targets/,
      },
    ],
    ['no method', HEAD, { pointer: '', line: 1, expected: /missing 'method'/ }],
  ];

  for (const [what, text, want, target] of CASES) {
    it(`${what} is a usage error naming the file, the JSON pointer and line, and what was expected`, () => {
      const p = problemOf(text, 'drill.yaml', target);
      expect(p.code).toBe('USAGE');
      expect({ pointer: p.pointer, line: p.line }).toEqual({ pointer: want.pointer, line: want.line });
      expect(p.message.startsWith(`drill.yaml:${want.line}:`)).toBe(true);
      expect(p.message).toContain(want.pointer === '' ? '(the document)' : want.pointer);
      expect(p.message).toMatch(want.expected);
    });
  }
});

describe('resilient drill validate', () => {
  const config = tempDir();
  const dir = tempDir('resilient-drill-');
  afterEach(killLeftovers);
  afterAll(() => {
    config.remove();
    dir.remove();
  });

  it('accepts each shipped example and says what it found (exit 0)', async () => {
    const r = await spawnCli(['drill', 'validate', 'resources/experiments/throttled-replacement.yaml'], {
      env: baseEnv(config.path),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ resources\/experiments\/throttled-replacement.yaml: Throttled API calls/);
    expect(r.stdout).toMatch(
      /1 stages, 2 actions, 3 checks, 2 steady-state probes, 1 rollbacks, 1 stop conditions/,
    );
  });

  it('refuses a bad file with exit 2, the file, pointer and line on stderr, and nothing on stdout', async () => {
    const file = join(dir.path, 'bad.yaml');
    writeFileSync(file, `${HEAD}method:\n  - title: a\n    actions:\n      - action: explode\n`);
    const r = await spawnCli(['drill', 'validate', file], { env: baseEnv(config.path) });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${file}:6:17: /method/0/actions/0/action: unknown action "explode"`);
  });

  it('refuses a local-only experiment with --target aws (exit 2), and a missing file (exit 2)', async () => {
    const aws = await spawnCli(
      ['drill', 'validate', 'resources/experiments/hang-one-instance.yaml', '--target', 'aws'],
      { env: baseEnv(config.path) },
    );
    expect(aws.code).toBe(2);
    expect(aws.stderr).toMatch(/\/targets: this experiment runs on local, not on aws/);
    const missing = await spawnCli(['drill', 'validate', join(dir.path, 'nope.yaml')], {
      env: baseEnv(config.path),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the experiment file \(ENOENT\)/);
  });
});
