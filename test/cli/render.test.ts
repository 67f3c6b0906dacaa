import { describe, expect, it } from 'vitest';
import { createRenderer, humanStep } from '../../src/cli/render/events.ts';
import { renderGetResult } from '../../src/cli/render/get-result.ts';
import { startWait } from '../../src/cli/render/spinner.ts';
import { createStyle } from '../../src/cli/render/style.ts';
import { renderTargetHealth } from '../../src/cli/render/target-health.ts';
import { formatDuration } from '../../src/cli/render/text.ts';
import type { RunEvent } from '../../src/events.ts';
import { captureIo } from '../_support/cli.ts';

const plain = createStyle(false);

describe('GET result', () => {
  it('shows the request, the status and the body as JSON, one line per attribute like the seed', () => {
    const body = {
      MediaType: { S: 'Book' },
      ItemId: { N: '0' },
      Metadata: { InstanceId: 'i-1', AvailabilityZone: 'us-west-2b' },
    };
    const text = renderGetResult('http://127.0.0.1:5000/', { status: 200, kind: 'static', body }, plain);
    expect(text).toContain(
      [
        'Request:',
        '',
        'GET http://127.0.0.1:5000/',
        '',
        'Response:',
        '',
        '200',
        '{',
        '  "MediaType": {"S": "Book"},',
        '  "ItemId": {"N": "0"},',
        '  "Metadata": {"InstanceId": "i-1", "AvailabilityZone": "us-west-2b"}',
        '}',
      ].join('\n'),
    );
    // Still valid JSON, so it can be copied.
    const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
    expect(JSON.parse(json)).toEqual(body);
  });

  it("leaves out an error page's HTML: the status says it", () => {
    const text = renderGetResult(
      'http://lb/',
      { status: 502, kind: 'error', body: '<html>502 Bad Gateway</html>' },
      plain,
    );
    expect(text).not.toContain('<html>');
    expect(text.split('\n')).toContain('502');
  });

  it('shows a bare status when there is no body (the 502 of a broken dependency)', () => {
    const text = renderGetResult('http://lb/', { status: 502, kind: 'error' }, plain);
    expect(text.split('\n')).toContain('502');
    expect(text).not.toContain('{');
  });

  it('says why when no response came back', () => {
    const text = renderGetResult(
      'http://lb/',
      { status: 0, kind: 'error', error: 'connect ECONNREFUSED' },
      plain,
    );
    expect(text).toContain('no response: connect ECONNREFUSED');
  });
});

describe('target health', () => {
  it('lists each target with its state, and the reason and description of those not healthy', () => {
    const text = renderTargetHealth(
      [
        { id: 'i-a', port: 80, state: 'healthy' },
        {
          id: 'i-b',
          port: 80,
          state: 'unhealthy',
          reason: 'Target.ResponseCodeMismatch',
          description: 'Health checks failed with these codes: [503]',
        },
        {
          id: 'i-c',
          port: 80,
          state: 'draining',
          reason: 'Target.DeregistrationInProgress',
          description: 'Target deregistration is in progress',
        },
      ],
      plain,
    );
    expect(text).toContain('Checking the health of load balancer targets:');
    expect(text).toContain('        Target i-a on port 80 is healthy\n');
    expect(text).toContain(
      '        Target i-b on port 80 is unhealthy\n                Target.ResponseCodeMismatch: Health checks failed with these codes: [503]',
    );
    expect(text).toContain('Target.DeregistrationInProgress: Target deregistration is in progress');
  });

  it('says so when no target is registered', () => {
    expect(renderTargetHealth([], plain)).toContain('No targets are registered');
  });
});

describe('waits', () => {
  it('without a terminal: one line naming what is waited for and its deadline, one line at the end, no carriage returns', () => {
    const cap = captureIo({ isTTY: false });
    let now = 1_000;
    const w = startWait(cap.io, {
      what: 'load balancer resilient-demo-lb',
      deadlineMs: 600_000,
      now: () => now,
    });
    w.update('provisioning');
    now += 12_500;
    w.succeed();
    expect(cap.stdout()).toBe(
      'Waiting for load balancer resilient-demo-lb (deadline 10m00s)...\n✓ Done waiting for load balancer resilient-demo-lb (12s)\n',
    );
    expect(cap.stdout()).not.toContain('\r');
  });

  it('on a terminal: a spinner line redrawn in place with the elapsed time and the deadline', () => {
    const cap = captureIo({ isTTY: true, noColorFlag: true });
    const w = startWait(cap.io, {
      what: 'table resilient-demo-recommendations',
      deadlineMs: 30_000,
      now: () => 0,
    });
    w.fail('Table did not become active');
    const out = cap.stdout();
    expect(out).toContain('\r\x1b[K');
    expect(out).toContain('Waiting for table resilient-demo-recommendations');
    expect(out).toContain('deadline 30s');
    expect(out).toContain('✗ Table did not become active');
  });

  it('on a terminal, the spinner line never outgrows the terminal (a wrapped line cannot be redrawn)', () => {
    let out = '';
    const io = {
      ...captureIo({ isTTY: true, noColorFlag: true }).io,
      columns: 60,
      out: { write: (t: string) => (out += t) },
    };
    const w = startWait(io, { what: 'x'.repeat(200), deadlineMs: 30_000, now: () => 0 });
    w.stop();
    const drawn = out.split('\r\x1b[K').filter((l) => l !== '');
    expect(drawn.length).toBeGreaterThan(0);
    for (const line of drawn) expect(line.length).toBeLessThan(60);
  });

  it('formats durations for people', () => {
    expect(formatDuration(950)).toBe('0.9s');
    expect(formatDuration(75_000)).toBe('1m15s');
    expect(formatDuration(3_600_000)).toBe('1h00m');
  });
});

describe('event renderer', () => {
  const render = (events: RunEvent[], isTTY = false) => {
    const cap = captureIo({ isTTY });
    const r = createRenderer(cap.io);
    for (const e of events) r.emit(e);
    r.settle();
    return cap.stdout();
  };

  it('renders a stage banner, resources, verification with PASS/FAIL, and the seed farewell', () => {
    const out = render([
      { type: 'resource', action: 'created', kind: 'table', name: 'resilient-demo-recommendations' },
      { type: 'resource', action: 'deleted', kind: 'load-balancer', name: 'resilient-demo-lb' },
      { type: 'stage', stage: 5, title: 'Deep health checks', text: 'Health checks now test the table.' },
      {
        type: 'observation',
        stage: 5,
        pass: false,
        statusCounts: { '200': 8, '502': 1 },
        kinds: { real: 8, error: 1 },
        instances: ['i-a', 'i-b'],
        zones: ['us-west-2a', 'us-west-2b'],
        targets: [{ id: 'i-c', port: 80, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }],
        reasons: ['a GET returned 502'],
      },
      { type: 'run-finished', outcome: 'succeeded' },
    ]);
    expect(out).toContain('+ Created DynamoDB table resilient-demo-recommendations');
    expect(out).toContain('- Deleted load balancer resilient-demo-lb');
    expect(out).toContain('Stage 5: Deep health checks\n\nHealth checks now test the table.');
    expect(out).toContain('Stage 5 verification: FAIL');
    expect(out).toContain('GET status:     8 × 200, 1 × 502');
    expect(out).toContain('instances seen: i-a, i-b');
    expect(out).toContain('zones seen:     us-west-2a, us-west-2b');
    expect(out).toContain('target health:  i-c unhealthy (Target.ResponseCodeMismatch)');
    expect(out).toContain('✗ a GET returned 502');
    expect(out).toContain('Thanks for watching!');
  });

  it('in logs, a wait is one start line and one end line however often it polls, ended by its step', () => {
    const deadline = Date.now() + 60_000;
    const out = render([
      { type: 'step-started', step: 'lbProvisioning', attempt: 0 },
      { type: 'wait-progress', what: 'load balancer resilient-demo-lb', deadline, detail: 'provisioning' },
      {
        type: 'step-retrying',
        step: 'lbProvisioning',
        attempt: 1,
        delayMs: 200,
        reason: 'load balancer is provisioning',
      },
      { type: 'step-started', step: 'lbProvisioning', attempt: 1 },
      { type: 'wait-progress', what: 'load balancer resilient-demo-lb', deadline, detail: 'provisioning' },
      { type: 'step-finished', step: 'lbProvisioning' },
      { type: 'info', message: 'next' },
    ]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Waiting for load balancer resilient-demo-lb \(deadline (59s|1m00s)\)\.\.\.$/);
    expect(lines[1]).toMatch(/^✓ Done: load balancer resilient-demo-lb \(\d/);
    expect(lines[2]).toBe('next');
    expect(lines).toHaveLength(3);
  });

  it('in a parallel phase, a step that did not own the wait never claims it is done', () => {
    const deadline = Date.now() + 60_000;
    const out = render([
      { type: 'step-started', step: 'deletingTable', attempt: 0 },
      { type: 'step-started', step: 'instancesTerminating', attempt: 0 },
      {
        type: 'wait-progress',
        what: 'instances of resilient-demo-group',
        deadline,
        detail: '3 still in the group',
      },
      { type: 'step-finished', step: 'deletingTable' },
      { type: 'resource', action: 'deleted', kind: 'table', name: 'resilient-demo-recommendations' },
    ]);
    expect(out).toContain('Waiting for instances of resilient-demo-group');
    expect(out).not.toContain('Done');
  });

  it("introduces a deploy step once with the seed's text, corrected (not repeated on retries)", () => {
    const out = render([
      { type: 'step-started', step: 'creatingLaunchTemplate', attempt: 0 },
      {
        type: 'step-retrying',
        step: 'creatingLaunchTemplate',
        attempt: 1,
        delayMs: 100,
        reason: 'profile not yet visible',
      },
      { type: 'step-started', step: 'creatingLaunchTemplate', attempt: 1 },
      { type: 'step-finished', step: 'creatingLaunchTemplate' },
    ]);
    expect(out.split('Creating an EC2 launch template').length - 1).toBe(1);
    expect(out).toContain('unprivileged user');
    expect(out).toContain('IMDSv2');
  });

  it('names steps for people', () => {
    expect(humanStep('creatingTargetGroup')).toBe('creating target group');
  });
});
