import type { RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import type { GetView, TargetHealthView } from '../../../src/events.ts';
import { DEPLOYMENT_TAG_KEY, resourceNames } from '../../../src/names.ts';
import { classify, STATIC_TITLE } from '../../../src/steps/http.ts';

/**
 * How long the fake cloud's asynchronous transitions take, in real milliseconds. State is derived from
 * timestamps when it is read (a table is ACTIVE once `activeAt` has passed), so the fake needs no
 * background timer and leaves nothing running when a test ends.
 */
export interface FakeDelays {
  /** Every call waits this long before it acts (0: the next macrotask). */
  readonly latencyMs: number;
  readonly tableActiveMs: number;
  readonly tableDeleteMs: number;
  /** IAM is eventually consistent: EC2 and Auto Scaling see a new instance profile only after this. */
  readonly profileVisibleMs: number;
  readonly lbActiveMs: number;
  readonly lbDeleteMs: number;
  readonly bootMs: number;
  readonly terminateMs: number;
  /** From boot to the target's first health verdict (the `initial` state). */
  readonly healthyMs: number;
  readonly drainMs: number;
  /** A launch or termination keeps a scaling activity in progress this long. */
  readonly activityMs: number;
}

export const INSTANT: FakeDelays = {
  latencyMs: 0,
  tableActiveMs: 0,
  tableDeleteMs: 0,
  profileVisibleMs: 0,
  lbActiveMs: 0,
  lbDeleteMs: 0,
  bootMs: 0,
  terminateMs: 0,
  healthyMs: 0,
  drainMs: 0,
  activityMs: 0,
};

/** Every transition takes a few milliseconds: steps meet their wait states for real. */
export const SLOW: FakeDelays = {
  latencyMs: 1,
  tableActiveMs: 15,
  tableDeleteMs: 10,
  profileVisibleMs: 15,
  lbActiveMs: 25,
  lbDeleteMs: 10,
  bootMs: 10,
  terminateMs: 15,
  healthyMs: 10,
  drainMs: 10,
  activityMs: 10,
};

export type Tags = { Key?: string | undefined; Value?: string | undefined }[];

export interface FakeTable {
  name: string;
  arn: string;
  activeAt: number;
  deleteAt?: number;
  items: number;
}
export interface FakePolicy {
  name: string;
  arn: string;
}
export interface FakeRole {
  name: string;
  arn: string;
  attached: Set<string>;
}
export interface FakeProfile {
  name: string;
  arn: string;
  roles: string[];
  visibleAt: number;
}
export interface FakeTemplate {
  name: string;
  id: string;
  token: string;
  data: RequestLaunchTemplateData;
  tags: Tags;
}
export interface FakeGroup {
  name: string;
  template: string;
  zones: string[];
  desired: number;
  min: number;
  max: number;
  targetGroups: string[];
  activityUntil: number;
  tags: Tags;
}
export interface FakeInstance {
  id: string;
  zone: string;
  group: string | undefined;
  /** The associated instance profile, and the one whose credentials the server uses (changes on reboot). */
  profile: string;
  effectiveProfile: string;
  associationId: string;
  /**
   * How many more DescribeIamInstanceProfileAssociations calls see the association `associating`
   * (EC2 answers a replace with `associating`; 0: `associated`).
   */
  associatingReads?: number;
  launchedAt: number;
  terminatingSince?: number;
  tags: Tags;
}
export interface FakeTargetGroup {
  name: string;
  arn: string;
}
export interface FakeLoadBalancer {
  name: string;
  arn: string;
  dnsName: string;
  activeAt: number;
  deleteAt?: number;
  next: number;
}
export interface FakeListener {
  arn: string;
  lbArn: string;
  tgArn: string;
  port: number;
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-west-2';
export const ZONES = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
export const VPC = 'vpc-fake0001';
export const AMI = 'ami-0fake2023';

/** The fake's whole state, and the rules by which it moves on its own. */
export class World {
  readonly delays: FakeDelays;
  /** Reads that see a replaced profile association still `associating` (set by a test). */
  associatingReads = 0;
  readonly tables = new Map<string, FakeTable>();
  readonly parameters = new Map<string, string>();
  readonly policies = new Map<string, FakePolicy>();
  readonly roles = new Map<string, FakeRole>();
  readonly profiles = new Map<string, FakeProfile>();
  /** IAM tags by `kind:name` (policy, role, instance-profile): what says whose a global name is. */
  readonly iamTags = new Map<string, import('@aws-sdk/client-iam').Tag[]>();
  readonly templates = new Map<string, FakeTemplate>();
  readonly groups = new Map<string, FakeGroup>();
  readonly instances = new Map<string, FakeInstance>();
  readonly targetGroups = new Map<string, FakeTargetGroup>();
  /** Target groups deleted while an Auto Scaling group still had them attached (B10: must stay empty). */
  readonly deletedWhileAttached: string[] = [];
  readonly loadBalancers = new Map<string, FakeLoadBalancer>();
  readonly listeners = new Map<string, FakeListener>();
  readonly ingress = new Set<string>();
  /** Zones whose default subnet does not map a public IP at launch (MapPublicIpOnLaunch false). */
  readonly privateSubnets = new Set<string>();
  /** The id and tags of each ingress rule (`group|cidr|port`), as DescribeSecurityGroupRules lists them. */
  readonly ingressRules = new Map<string, { ruleId: string; tags: { Key?: string; Value?: string }[] }>();
  /** Real creations per resource (`kind:name`): an adopted or idempotent repeat does not count. */
  readonly creations = new Map<string, number>();
  #serial = 0;

  constructor(delays: FakeDelays) {
    this.delays = delays;
  }

  now(): number {
    return Date.now();
  }

  id(prefix: string): string {
    this.#serial += 1;
    return `${prefix}-${this.#serial.toString(16).padStart(8, '0')}`;
  }

  created(kind: string, name: string): void {
    const key = `${kind}:${name}`;
    this.creations.set(key, (this.creations.get(key) ?? 0) + 1);
  }

  /** Applies every transition whose time has come: called before each operation acts. */
  settle(): void {
    const now = this.now();
    for (const [name, t] of this.tables)
      if (t.deleteAt !== undefined && t.deleteAt <= now) this.tables.delete(name);
    for (const [arn, lb] of this.loadBalancers) {
      if (lb.deleteAt === undefined || lb.deleteAt > now) continue;
      this.loadBalancers.delete(arn);
      // Deleting a load balancer deletes its listeners (ELBv2 DeleteLoadBalancer).
      for (const [l, listener] of this.listeners) if (listener.lbArn === arn) this.listeners.delete(l);
    }
    for (const [id, i] of this.instances) {
      if (i.terminatingSince !== undefined && i.terminatingSince + this.delays.terminateMs <= now)
        this.instances.delete(id);
    }
    for (const group of this.groups.values()) this.#reconcile(group, now);
  }

  /** Auto Scaling keeps desired capacity: launches into the least-used zone, terminates the newest extras. */
  #reconcile(group: FakeGroup, now: number): void {
    const live = [...this.instances.values()].filter(
      (i) => i.group === group.name && i.terminatingSince === undefined,
    );
    if (live.length > group.desired) {
      for (const i of live.slice(group.desired)) i.terminatingSince = now;
      group.activityUntil = now + this.delays.activityMs;
      return;
    }
    const template = this.templates.get(group.template);
    const profile = template?.data.IamInstanceProfile?.Name;
    if (template === undefined || profile === undefined || !this.profileVisible(profile)) return;
    for (let n = live.length; n < group.desired; n++) {
      const used = (zone: string) => live.filter((i) => i.zone === zone).length;
      const zone = [...group.zones].sort((a, b) => used(a) - used(b))[0] ?? ZONES[0] ?? '';
      const instance: FakeInstance = {
        id: this.id('i'),
        zone,
        group: group.name,
        profile,
        effectiveProfile: profile,
        associationId: this.id('iip-assoc'),
        launchedAt: now,
        tags: [
          ...(template.data.TagSpecifications?.flatMap((s) => s.Tags ?? []) ?? []),
          ...group.tags,
          { Key: 'aws:autoscaling:groupName', Value: group.name },
        ],
      };
      this.instances.set(instance.id, instance);
      live.push(instance);
      group.activityUntil = now + this.delays.activityMs;
    }
  }

  profileVisible(name: string): boolean {
    const p = this.profiles.get(name);
    return p !== undefined && p.visibleAt <= this.now();
  }

  tagOf(tags: Tags, key: string): string | undefined {
    return tags.find((t) => t.Key === key)?.Value;
  }

  // --- the data plane: what a GET through the load balancer and a health check see ---

  /** The server on an instance reads the table only with its deployment's instance profile and a real table. */
  #canRead(instance: FakeInstance): boolean {
    const deployment = this.tagOf(instance.tags, DEPLOYMENT_TAG_KEY);
    if (deployment === undefined) return false;
    const names = resourceNames(deployment, REGION);
    const table = this.tables.get(this.parameters.get(names.parameters.table) ?? '');
    return (
      instance.effectiveProfile === names.instanceProfile &&
      table !== undefined &&
      table.activeAt <= this.now() &&
      table.deleteAt === undefined
    );
  }

  #parameter(instance: FakeInstance, which: 'failureResponse' | 'healthCheck'): string | undefined {
    const deployment = this.tagOf(instance.tags, DEPLOYMENT_TAG_KEY);
    return deployment === undefined
      ? undefined
      : this.parameters.get(resourceNames(deployment).parameters[which]);
  }

  /** ALB target health of a target group: initial after boot, then the health check's verdict; draining when leaving. */
  targetHealth(tgArn: string): TargetHealthView[] {
    const now = this.now();
    const attached = [...this.groups.values()]
      .filter((g) => g.targetGroups.includes(tgArn))
      .map((g) => g.name);
    const views: TargetHealthView[] = [];
    for (const i of this.instances.values()) {
      if (i.group === undefined || !attached.includes(i.group)) continue;
      if (i.terminatingSince !== undefined) {
        if (now < i.terminatingSince + this.delays.drainMs)
          views.push({ id: i.id, port: 80, state: 'draining', reason: 'Target.DeregistrationInProgress' });
        continue;
      }
      if (now < i.launchedAt + this.delays.bootMs + this.delays.healthyMs) {
        views.push({ id: i.id, port: 80, state: 'initial', reason: 'Elb.RegistrationInProgress' });
        continue;
      }
      const deep = this.#parameter(i, 'healthCheck') === 'deep';
      views.push(
        !deep || this.#canRead(i)
          ? { id: i.id, port: 80, state: 'healthy' }
          : {
              id: i.id,
              port: 80,
              state: 'unhealthy',
              reason: 'Target.ResponseCodeMismatch',
              description: 'Health checks failed with these codes: [503]',
            },
      );
    }
    return views;
  }

  /** One GET through the load balancer: round-robin over healthy targets, fail open when none is healthy. */
  get(url: string): GetView {
    const host = new URL(url).host;
    const now = this.now();
    const lb = [...this.loadBalancers.values()].find((l) => l.dnsName === host);
    if (lb === undefined || lb.activeAt > now || lb.deleteAt !== undefined)
      return { status: 0, kind: 'error', error: `getaddrinfo ENOTFOUND ${host}` };
    const listener = [...this.listeners.values()].find((l) => l.lbArn === lb.arn && l.port === 80);
    if (listener === undefined) return { status: 0, kind: 'error', error: 'connect ECONNREFUSED' };
    const targets = this.targetHealth(listener.tgArn).filter((t) => t.state !== 'draining');
    if (targets.length === 0) return classify(503, '503 Service Temporarily Unavailable');
    const healthy = targets.filter((t) => t.state === 'healthy');
    const pool = healthy.length > 0 ? healthy : targets;
    const target = pool[lb.next % pool.length];
    lb.next += 1;
    const instance = target === undefined ? undefined : this.instances.get(target.id);
    if (instance === undefined) return classify(502, '502 Bad Gateway');
    const Metadata = { InstanceId: instance.id, AvailabilityZone: instance.zone };
    if (this.#canRead(instance)) {
      return classify(200, {
        MediaType: { S: 'Book' },
        ItemId: { N: '1' },
        Title: { S: 'The Kid' },
        Creator: { S: 'Sapphire' },
        Metadata,
      });
    }
    if (this.#parameter(instance, 'failureResponse') === 'static') {
      return classify(200, {
        MediaType: { S: 'Book' },
        ItemId: { N: '0' },
        Title: { S: STATIC_TITLE },
        Creator: { S: 'The Oatmeal' },
        Metadata,
      });
    }
    // The server closes the connection; the load balancer answers 502 (docs/architecture.md#the-recommendation-server).
    return classify(502, '502 Bad Gateway');
  }

  /** Everything that still exists, as `kind name` lines: empty after a complete destroy. */
  leftovers(): string[] {
    this.settle();
    return [
      ...[...this.tables.keys()].map((n) => `table ${n}`),
      ...[...this.parameters.keys()].map((n) => `parameter ${n}`),
      ...[...this.policies.values()].map((p) => `policy ${p.name}`),
      ...[...this.roles.keys()].map((n) => `role ${n}`),
      ...[...this.profiles.keys()].map((n) => `instance-profile ${n}`),
      ...[...this.templates.keys()].map((n) => `launch-template ${n}`),
      ...[...this.groups.keys()].map((n) => `auto-scaling-group ${n}`),
      ...[...this.instances.keys()].map((n) => `instance ${n}`),
      ...[...this.targetGroups.values()].map((t) => `target-group ${t.name}`),
      ...[...this.loadBalancers.values()].map((l) => `load-balancer ${l.name}`),
      ...[...this.listeners.keys()].map((n) => `listener ${n}`),
      ...[...this.ingress].map((n) => `ingress-rule ${n}`),
    ];
  }
}
