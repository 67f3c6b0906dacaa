/**
 * The data plane's window on the control plane: instances, load balancers and target groups as the
 * contract's specs, derived from the EC2/ELBv2 models at call time (so they are always current), plus
 * the two things the data plane may tell or ask: role credentials for IMDS, and "this process died".
 * One data plane serves every account and Region (`../scopes.ts`): the view lists the specs of all scopes,
 * and each instance carries its own Region and account.
 */
import type {
  Cloud,
  DataPlaneView,
  InstanceSpec,
  LoadBalancerSpec,
  RoleCredentials,
  TargetGroupSpec,
} from '../contracts.ts';
import { findInstanceProfile } from './ec2/iam-link.ts';
import { currentAssociation, markImpaired } from './ec2/instance-lifecycle.ts';
import { ec2State, instanceState } from './ec2/model.ts';
import { elbv2State, loadBalancerState } from './elbv2/model.ts';
import { issueRoleSession } from './sts/sessions.ts';

/** How long IMDS role credentials last (AWS: about 6 h; the SDK refreshes 5 min before expiry). */
const ROLE_CREDENTIAL_LIFETIME_MS = 6 * 3_600_000;

function decodeUserData(base64: string): string {
  if (base64 === '') return '';
  return Buffer.from(base64, 'base64').toString('utf8');
}

export function instanceSpecs(cloud: Cloud): InstanceSpec[] {
  const now = cloud.clock.now();
  return ec2State(cloud).instances.map((i) => {
    const association = currentAssociation(cloud, i.instanceId);
    // The role IMDS serves is the profile's role now (replacing the association changes it at once).
    const roleName =
      association === undefined
        ? undefined
        : (findInstanceProfile(cloud, { Arn: association.profileArn })?.roleName ?? association.roleName);
    return {
      instanceId: i.instanceId,
      accountId: cloud.config.accountId,
      region: cloud.config.region,
      state: instanceState(i, now),
      bootId: i.bootId,
      workloadGeneration: i.workloadGeneration,
      availabilityZone: i.zone,
      privateIpAddress: i.privateIpAddress,
      userData: decodeUserData(i.userData),
      roleName,
      instanceProfileArn: association?.profileArn,
      httpTokens: i.httpTokens,
    };
  });
}

export function loadBalancerSpecs(cloud: Cloud): LoadBalancerSpec[] {
  const now = cloud.clock.now();
  const { loadBalancers, listeners } = elbv2State(cloud);
  return loadBalancers.map((lb) => ({
    arn: lb.arn,
    port: lb.port,
    state: loadBalancerState(lb, now),
    listeners: listeners
      .filter((l) => l.loadBalancerArn === lb.arn)
      .map((l) => ({ arn: l.arn, port: l.port, targetGroupArn: l.targetGroupArn })),
  }));
}

export function targetGroupSpecs(cloud: Cloud): TargetGroupSpec[] {
  const now = cloud.clock.now();
  return elbv2State(cloud).targetGroups.map((tg) => ({
    arn: tg.arn,
    port: tg.port,
    healthCheck: {
      protocol: 'HTTP',
      path: tg.healthCheck.path,
      port: tg.healthCheck.port,
      intervalSeconds: tg.healthCheck.intervalSeconds,
      timeoutSeconds: tg.healthCheck.timeoutSeconds,
      healthyThresholdCount: tg.healthCheck.healthyThresholdCount,
      unhealthyThresholdCount: tg.healthCheck.unhealthyThresholdCount,
      matcher: tg.healthCheck.matcher,
    },
    // Targets whose draining has ended are gone, even before the model prunes them.
    targets: tg.targets
      .filter((t) => t.drainingUntil === undefined || now < t.drainingUntil)
      .map((t) => ({ id: t.id, port: t.port, drainingUntil: t.drainingUntil })),
  }));
}

/** Something with scopes (a `LocalCloud`), or a single cloud (unit tests' fakes). */
export type ViewSource = Cloud & { readonly scopes?: { all(): readonly Cloud[] } };

const has = (cloud: Cloud, slice: string): boolean => cloud.state[slice] !== undefined;

export function createDataPlaneView(source: ViewSource): DataPlaneView {
  const scopes = (): readonly Cloud[] => source.scopes?.all() ?? [source];
  // Scopes that never used EC2 (or ELBv2) have nothing to show, and listing them must not create a VPC.
  const withSlice = (slice: string): readonly Cloud[] => scopes().filter((c) => has(c, slice));
  const scopeOfInstance = (instanceId: string): Cloud | undefined =>
    withSlice('ec2').find((c) => ec2State(c).instances.some((i) => i.instanceId === instanceId));
  return {
    instances: () => withSlice('ec2').flatMap(instanceSpecs),
    loadBalancers: () => withSlice('elasticloadbalancing').flatMap(loadBalancerSpecs),
    targetGroups: () => withSlice('elasticloadbalancing').flatMap(targetGroupSpecs),
    issueRoleCredentials(roleName: string, instanceId: string): RoleCredentials {
      // The role is the instance's account's: its session belongs to that account.
      const cloud = scopeOfInstance(instanceId) ?? source;
      const session = issueRoleSession(cloud, roleName, instanceId, ROLE_CREDENTIAL_LIFETIME_MS);
      cloud.commit();
      return {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expiration: session.expiration,
      };
    },
    reportInstanceImpaired(instanceId: string, reason: string): void {
      // DescribeInstanceStatus then says impaired and the Auto Scaling loop replaces the instance.
      const cloud = scopeOfInstance(instanceId);
      if (cloud !== undefined && markImpaired(cloud, instanceId, reason)) cloud.commit();
    },
  };
}
