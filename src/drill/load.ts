/**
 * Loads an experiment file (YAML or JSON: JSON is YAML 1.2, so one parser reads both and keeps each
 * node's position), validates it against `resources/experiment.schema.json` with Ajv, then checks what
 * a schema cannot say: selectors that match nothing, local-only actions on aws, parameter values,
 * ranges whose min is above their max. Every problem is a usage error (exit 2) naming the file, the
 * JSON pointer and line of the offending value, and what was expected; nothing is created.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { ResilientError } from '../errors.ts';
import {
  type Action,
  type Check,
  type Experiment,
  LOCAL_ONLY,
  PARAMETER_VALUES,
  type Range,
} from './experiment.ts';

// Found from this module, not from the package root: in the npm package the built code and the files
// it reads sit one level deeper (dist/src/drill/load.js beside dist/resources/), as prepack copies them.
export const SCHEMA_PATH = fileURLToPath(new URL('../../resources/experiment.schema.json', import.meta.url));
export const EXPERIMENTS_DIR = fileURLToPath(new URL('../../resources/experiments', import.meta.url));
/** The seven stages as an experiment: what `start` runs without `--experiment`. */
export const BUILT_IN_EXPERIMENT = join(EXPERIMENTS_DIR, 'seven-stages.yaml');

export interface Problem {
  readonly pointer: string;
  readonly line: number;
  readonly column: number;
  /** What is wrong and what was expected. */
  readonly message: string;
}

export class ExperimentError extends ResilientError {
  readonly file: string;
  readonly problem: Problem;
  constructor(file: string, problem: Problem) {
    super(
      'USAGE',
      `${file}:${problem.line}:${problem.column}: ${problem.pointer === '' ? '(the document)' : problem.pointer}: ${problem.message}`,
      {
        hint: 'The format is resources/experiment.schema.json (editors that read `$schema` validate and complete with it).',
      },
    );
    this.file = file;
    this.problem = problem;
  }
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator() {
  if (compiled !== undefined) return compiled;
  const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true, verbose: true });
  compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  return compiled;
}

const decode = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const segmentsOf = (pointer: string): string[] =>
  pointer === '' ? [] : pointer.slice(1).split('/').map(decode);
const pointerOf = (segments: readonly (string | number)[]): string =>
  segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** Where a JSON pointer's value starts in the text: its node, else the nearest parent that exists. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  pointer: string,
): { line: number; column: number } {
  const path = segmentsOf(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const { line, col } = lines.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return { line: 1, column: 1 };
}

const quote = (v: unknown) => JSON.stringify(v);

/** One Ajv error in words: what was found, and what was expected. */
function describe(error: ErrorObject, data: unknown): { pointer: string; message: string } {
  const value = segmentsOf(error.instancePath).reduce<unknown>(
    (v, s) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[s] : undefined),
    data,
  );
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'discriminator': {
      const tag = String(p.tag);
      const allowed = ((error.parentSchema as { oneOf?: { $ref?: string }[] } | undefined)?.oneOf ?? [])
        .length;
      if (p.error === 'tag')
        return {
          pointer: error.instancePath,
          message: `missing '${tag}': expected an object with a '${tag}' key`,
        };
      return {
        pointer: `${error.instancePath}/${tag}`,
        message: `unknown ${tag} ${quote(p.tagValue)}: expected one of ${tagValues(tag).join(', ')}${allowed === 0 ? '' : ''}`,
      };
    }
    case 'additionalProperties':
      return {
        pointer: `${error.instancePath}/${String(p.additionalProperty)}`,
        message: `unknown key '${String(p.additionalProperty)}': expected one of ${Object.keys(
          (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
        ).join(', ')}`,
      };
    case 'required':
      return {
        pointer: error.instancePath,
        message: `missing '${String(p.missingProperty)}'`,
      };
    case 'type':
      return {
        pointer: error.instancePath,
        message: `expected ${String(p.type)}, found ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} ${quote(value)}`,
      };
    case 'enum':
      return {
        pointer: error.instancePath,
        message: `expected one of ${(p.allowedValues as unknown[]).map(quote).join(', ')}, found ${quote(value)}`,
      };
    case 'const':
      return {
        pointer: error.instancePath,
        message: `expected ${quote(p.allowedValue)}, found ${quote(value)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer: error.instancePath,
        message: `out of range: ${quote(value)} ${error.message ?? ''}`.trim(),
      };
    default:
      return { pointer: error.instancePath, message: `${error.message ?? 'invalid'}, found ${quote(value)}` };
  }
}

/** The values a discriminator tag may take (`action`: set-parameter, …), from the schema. */
function tagValues(tag: string): string[] {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
    definitions: Record<string, { properties?: Record<string, { const?: string }> }>;
  };
  return Object.values(schema.definitions).flatMap((d) => {
    const c = d.properties?.[tag]?.const;
    return c === undefined ? [] : [c];
  });
}

/** The most useful of Ajv's errors: the deepest, preferring an unknown tag over the oneOf noise. */
function pick(errors: readonly ErrorObject[]): ErrorObject {
  const useful = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  const pool = useful.length > 0 ? useful : [...errors];
  const depth = (e: ErrorObject) =>
    segmentsOf(e.instancePath).length + (e.keyword === 'discriminator' ? 0.5 : 0);
  return [...pool].sort((a, b) => depth(b) - depth(a))[0] ?? (errors[0] as ErrorObject);
}

/** What the schema cannot check. Returns the first problem (pointer and message), or undefined. */
export function semanticProblem(
  experiment: Experiment,
  target: 'local' | 'aws' | undefined,
): { pointer: string; message: string } | undefined {
  const selectors = Object.keys(experiment.instances ?? {});
  const known =
    selectors.length === 0 ? 'none is defined under /instances' : `defined: ${selectors.join(', ')}`;
  const problems: { pointer: string; message: string }[] = [];
  const targets = experiment.targets ?? ['local', 'aws'];
  if (target !== undefined && !targets.includes(target))
    problems.push({
      pointer: '/targets',
      message: `this experiment runs on ${targets.join(', ')}, not on ${target}`,
    });
  const range = (r: Range | undefined, at: (string | number)[]) => {
    if (r?.min !== undefined && r.max !== undefined && r.min > r.max)
      problems.push({
        pointer: pointerOf(at),
        message: `min ${r.min} is above max ${r.max}: nothing can match`,
      });
  };
  const check = (c: Check, at: (string | number)[]) => {
    for (const [key, r] of Object.entries(c))
      if (typeof r === 'object' && r !== null && ('min' in r || 'max' in r)) range(r as Range, [...at, key]);
    if (c.probe === 'targets' && c.instance !== undefined && !selectors.includes(c.instance.select))
      problems.push({
        pointer: pointerOf([...at, 'instance', 'select']),
        message: `selector '${c.instance.select}' matches nothing: ${known}`,
      });
    if (c.probe === 'requests')
      for (const [outcome, select] of Object.entries(c.onlyFrom ?? {}))
        if (!selectors.includes(select))
          problems.push({
            pointer: pointerOf([...at, 'onlyFrom', outcome]),
            message: `selector '${select}' matches nothing: ${known}`,
          });
  };
  const action = (a: Action, at: (string | number)[]) => {
    if ('instance' in a && !selectors.includes(a.instance))
      problems.push({
        pointer: pointerOf([...at, 'instance']),
        message: `selector '${a.instance}' matches nothing: ${known}`,
      });
    const runsOnAws = target === 'aws' || (target === undefined && targets.includes('aws'));
    if (LOCAL_ONLY.has(a.action) && runsOnAws)
      problems.push({
        pointer: pointerOf([...at, 'action']),
        message: `'${a.action}' runs on the local cloud only (its control route): expected targets: [local]${target === 'aws' ? ', and no --target aws' : ''}`,
      });
    if (a.action === 'set-parameter') {
      const allowed = PARAMETER_VALUES[a.parameter];
      if (allowed !== undefined && !allowed.includes(a.value))
        problems.push({
          pointer: pointerOf([...at, 'value']),
          message: `${a.parameter} must be one of ${allowed.join(', ')}, found ${quote(a.value)}`,
        });
    }
    if (a.action === 'fault' && a.fault === 'slow' && a.delayMs === undefined)
      problems.push({
        pointer: pointerOf(at),
        message: `a slow fault needs delayMs (milliseconds per request)`,
      });
    if (a.action === 'api-faults' && (a.throttle ?? 0) + (a.errors ?? 0) > 1)
      problems.push({ pointer: pointerOf(at), message: 'throttle + errors must be at most 1' });
  };
  experiment.steadyState?.probes.forEach((c, i) => {
    check(c, ['steadyState', 'probes', i]);
  });
  experiment.method.forEach((stage, s) => {
    stage.actions?.forEach((a, i) => {
      action(a, ['method', s, 'actions', i]);
    });
    if (stage.wait !== undefined) check(stage.wait.until, ['method', s, 'wait', 'until']);
    stage.expect?.forEach((c, i) => {
      check(c, ['method', s, 'expect', i]);
    });
    stage.continuous?.forEach((c, i) => {
      check(c, ['method', s, 'continuous', i]);
    });
  });
  experiment.rollbacks?.forEach((a, i) => {
    action(a, ['rollbacks', i]);
  });
  experiment.stopConditions?.forEach((c, i) => {
    for (const [key, r] of Object.entries(c.when)) range(r, ['stopConditions', i, 'when', key]);
  });
  return problems[0];
}

/**
 * Parses and validates an experiment's text. `target`: the cloud it is about to run on (a local-only
 * action on aws is refused); undefined checks it against every target its `targets` allow.
 */
export function parseExperiment(file: string, text: string, target?: 'local' | 'aws'): Experiment {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new ExperimentError(file, {
      pointer: '',
      line,
      column: col,
      message: `malformed ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${syntax.message.split('\n')[0]}`,
    });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const validate = validator();
  if (!validate(data)) {
    const { pointer, message } = describe(pick(validate.errors ?? []), data);
    throw new ExperimentError(file, { pointer, ...locate(doc, lines, pointer), message });
  }
  const experiment = data as unknown as Experiment;
  const problem = semanticProblem(experiment, target);
  if (problem !== undefined)
    throw new ExperimentError(file, { ...problem, ...locate(doc, lines, problem.pointer) });
  return experiment;
}

/** Reads and validates an experiment file (exit 2 for a file that cannot be read, too). */
export function loadExperiment(file: string, target?: 'local' | 'aws'): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new ResilientError(
      'USAGE',
      `${file}: cannot read the experiment file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  return parseExperiment(file, text, target);
}
