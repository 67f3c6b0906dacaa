/**
 * A mutable in-memory `DataPlaneView` for data-plane tests: the test edits instances, load balancers and
 * target groups directly and calls `reconcile()`, as the services side would on commit.
 */
import type {
  DataPlaneView,
  HealthCheckSpec,
  InstanceSpec,
  LoadBalancerSpec,
  RoleCredentials,
  TargetGroupSpec,
} from '../../src/local/contracts.ts';

export const FIXTURE_USER_DATA = [
  '#!/bin/bash',
  'mkdir -p /etc/resilient',
  "cat > /etc/resilient/server.env <<'RESILIENT_ENV'",
  'RESILIENT_PORT=80',
  'RESILIENT_TABLE_PARAMETER=/resilient/test/table',
  'RESILIENT_ENV',
  'systemctl start resilient',
].join('\n');

export const SHALLOW_CHECK: HealthCheckSpec = {
  protocol: 'HTTP',
  path: '/healthcheck',
  port: 'traffic-port',
  intervalSeconds: 10,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  matcher: '200',
};

export class FakeView implements DataPlaneView {
  instanceList: InstanceSpec[] = [];
  loadBalancerList: LoadBalancerSpec[] = [];
  targetGroupList: TargetGroupSpec[] = [];
  readonly impaired: { instanceId: string; reason: string }[] = [];
  readonly issued: { roleName: string; instanceId: string }[] = [];

  instances(): readonly InstanceSpec[] {
    return this.instanceList;
  }
  loadBalancers(): readonly LoadBalancerSpec[] {
    return this.loadBalancerList;
  }
  targetGroups(): readonly TargetGroupSpec[] {
    return this.targetGroupList;
  }
  issueRoleCredentials(roleName: string, instanceId: string): RoleCredentials {
    this.issued.push({ roleName, instanceId });
    const n = this.issued.length;
    return {
      accessKeyId: `ASIA${roleName
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, '')
        .slice(0, 10)}${n}`,
      secretAccessKey: `secret-${roleName}-${n}`,
      sessionToken: `token-${roleName}-${n}`,
      expiration: Date.now() + 6 * 3600_000,
    };
  }
  reportInstanceImpaired(instanceId: string, reason: string): void {
    this.impaired.push({ instanceId, reason });
  }

  addInstance(instanceId: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec {
    const spec: InstanceSpec = {
      instanceId,
      accountId: '123456789012',
      region: 'us-west-2',
      state: 'running',
      bootId: 1,
      workloadGeneration: 1,
      availabilityZone: 'us-west-2a',
      privateIpAddress: `10.0.0.${this.instanceList.length + 10}`,
      userData: FIXTURE_USER_DATA,
      roleName: 'app-role',
      instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/app-profile',
      httpTokens: 'required',
      ...overrides,
    };
    this.instanceList = [...this.instanceList.filter((i) => i.instanceId !== instanceId), spec];
    return spec;
  }

  /**
   * Puts `ids` behind one active load balancer on `port`: its listener (port 80) forwards to one target
   * group with the seed's health check, holding every instance on port 80. Replaces both lists; the
   * caller reconciles.
   */
  balance(
    ids: readonly string[],
    port: number,
    arns: { lb: string; tg: string } = { lb: 'lb', tg: 'tg' },
  ): void {
    this.targetGroupList = [
      {
        arn: arns.tg,
        port: 80,
        healthCheck: SHALLOW_CHECK,
        targets: ids.map((id) => ({ id, port: 80, drainingUntil: undefined })),
      },
    ];
    this.loadBalancerList = [
      {
        arn: arns.lb,
        port,
        state: 'active',
        listeners: [{ arn: 'listener', port: 80, targetGroupArn: arns.tg }],
      },
    ];
  }

  updateInstance(instanceId: string, change: Partial<InstanceSpec>): void {
    this.instanceList = this.instanceList.map((i) => (i.instanceId === instanceId ? { ...i, ...change } : i));
  }
}
