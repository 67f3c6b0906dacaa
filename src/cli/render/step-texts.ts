/**
 * What each deploy step is about to do, from the seed's "Deploy" texts, corrected: least-privilege
 * instance policy, an unprivileged server on Amazon Linux 2023 with IMDSv2 required, health checks
 * as this target group configures them. Printed once, when the step first starts.
 */
import { SEED_HEALTH_CHECK } from '../../aws/elbv2.ts';

const hc = SEED_HEALTH_CHECK;

export const STEP_TEXTS: Readonly<Record<string, string>> = {
  creatingTable:
    'Creating and populating the DynamoDB table that acts as the recommendation service the web servers depend on.',
  creatingInstanceIam:
    "Each instance gets an IAM role, through an instance profile, that allows only what the web server needs: reading this table and getting this deployment's three Systems Manager parameters.",
  creatingBcIam:
    'A second instance profile, whose role cannot read the table, is created now for the bad-credentials stage of the demo.',
  creatingLaunchTemplate:
    "Creating an EC2 launch template for Amazon Linux 2023 instances whose user data installs Node.js and a pinned copy of the recommendation web server. The server listens for HTTP requests on port 80 and answers '/' and '/healthcheck'. It runs as an unprivileged user that may only bind port 80 (the original example ran it as root), and instance metadata requires IMDSv2 session tokens.",
  creatingGroup:
    'Creating an EC2 Auto Scaling group that maintains three EC2 instances, spread across the Availability Zones of the Region. Each instance listens for HTTP requests once it has started.',
  creatingTargetGroup: `Creating an Elastic Load Balancing target group and load balancer. The target group defines how the load balancer connects to instances and checks their health (${hc.path} every ${hc.intervalSeconds} seconds, ${hc.healthyThreshold} results to change state: shortened for the demo). The load balancer provides a single endpoint where clients connect, and dispatches requests to the instances in the group.`,
  verifyingEndpoint: 'Verifying access to the load balancer endpoint...',
};
