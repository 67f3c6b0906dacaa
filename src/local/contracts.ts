/**
 * Contracts inside the local cloud: between the API gateway, the service modules (one folder per AWS
 * service under `services/`), and the data plane (`dataplane/`). The gateway owns the wire; services
 * own models and semantics; the data plane owns processes and sockets and sees the control plane only
 * through `DataPlaneView`, so neither side depends on the other's internals.
 */

export type Protocol = 'awsQuery' | 'ec2Query' | 'awsJson1_0' | 'awsJson1_1';

/** The caller, resolved by the gateway from the SigV4 access key id. */
export type Principal =
  | { readonly kind: 'admin'; readonly accountId: string; readonly arn: string; readonly accessKeyId: string }
  | {
      readonly kind: 'role-session';
      readonly accountId: string;
      /** arn:aws:sts::<acct>:assumed-role/<role>/<session> */
      readonly arn: string;
      readonly roleArn: string;
      readonly roleName: string;
      readonly sessionName: string;
      readonly accessKeyId: string;
    };

export interface LocalCloudConfig {
  readonly accountId: string;
  readonly region: string;
  /** Availability zone names, e.g. us-west-2a..d. */
  readonly zones: readonly string[];
  /** Multiplies every data-plane and lifecycle duration; the API still reports configured values. */
  readonly timeScale: number;
  /** `<state-dir>/local`: snapshot, DynamoDB data, logs, credentials. */
  readonly dataDir: string;
  /** http://127.0.0.1:<port>, what instances use as AWS_ENDPOINT_URL. */
  readonly endpoint: string;
}

/**
 * An error with AWS's wire code, HTTP status and fault, thrown by handlers. The gateway serializes it in
 * the service protocol's own envelope so the real SDK reconstructs `error.name === code`.
 */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly senderFault: boolean;

  constructor(code: string, message: string, statusCode = 400, senderFault = statusCode < 500) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
    this.senderFault = senderFault;
  }
}

/** Time for the control plane: real wall-clock `now`, and durations scaled by the time scale. */
export interface Clock {
  now(): number;
  /** A configured duration (ms) as it elapses here: `ms * timeScale`. */
  scaled(ms: number): number;
}

export interface CallContext {
  readonly requestId: string;
  readonly principal: Principal;
  /** The cloud scoped to the caller's account and the request's Region (`scopes.ts`). */
  readonly cloud: Cloud;
  /**
   * The same Region of another account of this local cloud, for the few calls that cross accounts
   * (AssumeRole of a role in another account); undefined for an account the cloud does not have.
   */
  readonly inAccount?: (accountId: string) => Cloud | undefined;
}

/** Handlers receive the parsed input (shaped like the SDK's `XCommandInput`) and return the output shape. */
export type Operation = (input: Record<string, unknown>, ctx: CallContext) => unknown;

export interface ServiceModule {
  /** SigV4 signing name from the credential scope: sts, iam, ec2, autoscaling, elasticloadbalancing, ssm, dynamodb. */
  readonly signingName: string;
  readonly protocol: Protocol;
  /** IAM action prefix, e.g. `elasticloadbalancing` for `elasticloadbalancing:DescribeTargetHealth`. */
  readonly actionPrefix: string;
  readonly operations: Readonly<Record<string, Operation>>;
  /** Resource ARNs an operation acts on, for IAM evaluation; `['*']` when the action has no resource type. */
  resources?(operation: string, input: Record<string, unknown>, ctx: CallContext): string[];
  /**
   * Called periodically (every ~100 ms of wall-clock time, whatever the time scale) with the live cloud, for
   * lifecycle work that cannot be derived from timestamps alone (e.g. Auto Scaling's reconcile loop). Call
   * `cloud.commit()` after changing state. Exceptions are caught and ignored by the caller. Optional.
   */
  tick?(cloud: Cloud): void;
}

/**
 * The whole local cloud as services see it. `state` is one JSON-serializable object; each service keeps
 * its own slice under its signing name (`state.ec2`, `state.iam`, ...) behind a typed accessor in its
 * model file. Lifecycle transitions are derived from timestamps where possible (a pending instance is
 * running once `now >= runningAt`), so a restored snapshot needs no re-armed timers.
 */
export interface Cloud {
  readonly config: LocalCloudConfig;
  readonly state: Record<string, unknown>;
  readonly clock: Clock;
  readonly dataplane: DataPlane;
  /** The state changed: persist it (debounced, atomically) and let the data plane reconcile. */
  commit(): void;
}

// ---------------------------------------------------------------------------------------------
// Data plane

export interface InstanceSpec {
  readonly instanceId: string;
  /** The account and Region the instance lives in (its IMDS and `AWS_REGION` say this Region). */
  readonly accountId: string;
  readonly region: string;
  /** EC2 lifecycle state as the model sees it now. */
  readonly state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  /** Changes on every reboot: the data plane restarts the process when it changes. */
  readonly bootId: number;
  /** Changes when SendCommand ran a command that restarts the workload. */
  readonly workloadGeneration: number;
  readonly availabilityZone: string;
  readonly privateIpAddress: string;
  /** Decoded launch-template user data ('' when none). */
  readonly userData: string;
  /** Role currently associated through the instance profile, if any. */
  readonly roleName: string | undefined;
  readonly instanceProfileArn: string | undefined;
  /** Launch template MetadataOptions.HttpTokens: 'required' means IMDSv1 requests get 401. */
  readonly httpTokens: 'required' | 'optional';
}

export interface HealthCheckSpec {
  readonly protocol: 'HTTP';
  readonly path: string;
  /** 'traffic-port' or a port number as a string, as in the API. */
  readonly port: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  /** Matcher.HttpCode, e.g. '200' or '200-299' or '200,302'. */
  readonly matcher: string;
}

export interface TargetSpec {
  readonly id: string;
  readonly port: number;
  /** Set while the target is being deregistered; it drains until `drainingUntil` (epoch ms, already scaled). */
  readonly drainingUntil: number | undefined;
}

export interface TargetGroupSpec {
  readonly arn: string;
  readonly port: number;
  readonly healthCheck: HealthCheckSpec;
  readonly targets: readonly TargetSpec[];
}

export interface LoadBalancerSpec {
  readonly arn: string;
  /** The loopback port reserved at creation: DNSName is `127.0.0.1:<port>`. */
  readonly port: number;
  readonly state: 'provisioning' | 'active' | 'failed';
  /** HTTP listeners with a single forward action (what this architecture uses). */
  readonly listeners: readonly {
    readonly arn: string;
    readonly port: number;
    readonly targetGroupArn: string;
  }[];
}

export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch ms. */
  readonly expiration: number;
}

/** What the data plane may read from (and tell) the control plane. Implemented by the services side. */
export interface DataPlaneView {
  instances(): readonly InstanceSpec[];
  loadBalancers(): readonly LoadBalancerSpec[];
  targetGroups(): readonly TargetGroupSpec[];
  /** Session credentials for the role an instance's profile carries (IMDS `iam/security-credentials/<role>`). */
  issueRoleCredentials(roleName: string, instanceId: string): RoleCredentials;
  /** The instance's process died on its own (crash): the model marks it impaired. */
  reportInstanceImpaired(instanceId: string, reason: string): void;
}

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface TargetHealthObservation {
  readonly state: TargetHealthState;
  /** ALB reason code, e.g. Target.ResponseCodeMismatch, Elb.InitialHealthChecking. */
  readonly reason?: string;
  /** e.g. 'Health checks failed with these codes: [503]'. */
  readonly description?: string;
}

export interface DataPlane {
  /** Reserves (binds) a loopback port for a new load balancer. */
  reserveLoadBalancerPort(loadBalancerArn: string): Promise<number>;
  /** Closes the load balancer's listener socket. */
  releaseLoadBalancer(loadBalancerArn: string): Promise<void>;
  /** Brings processes, listeners and health checkers in line with the view. Idempotent; cheap. */
  reconcile(): void;
  /** The checker's view of one registered target; undefined when the data plane has none (model fallback). */
  targetHealth(targetGroupArn: string, targetId: string, port: number): TargetHealthObservation | undefined;
  /** Process-level status used by DescribeInstanceStatus and Auto Scaling's EC2 health check. */
  instanceStatus(instanceId: string): 'ok' | 'impaired' | 'initializing' | undefined;
  /** Fault injection for drills and tests (not part of the AWS API). */
  injectInstanceFault(instanceId: string, fault: InstanceFault): void;
  close(): Promise<void>;
}

/**
 * crash: kill the process (the instance becomes impaired); hang: accept connections but never answer;
 * slow: add `delayMs` to every response; heal: undo hang/slow (a crashed instance heals by reboot).
 */
export type InstanceFault =
  | { readonly kind: 'crash' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'heal' };
