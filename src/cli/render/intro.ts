/** The welcome of spec "Introduction", with what this deployment really creates. */
import type { Style } from './style.ts';
import { RULE } from './text.ts';
import { wrap } from './wrap.ts';

export function renderIntro(target: 'local' | 'aws', name: string, style: Style): string {
  const where =
    target === 'local' ? 'the local cloud (real processes on this machine, no AWS bill)' : 'your AWS account';
  return [
    style.dim(RULE),
    style.bold('Welcome to the demonstration of How to Build and Manage a Resilient Service!'),
    style.dim(RULE),
    '',
    wrap(
      `For this demo, we'll use the AWS SDK to create several resources on ${where} to set up a load-balanced web service endpoint and explore some ways to make it resilient against various kinds of failures.`,
    ),
    '',
    `The resources of deployment '${name}' (all named resilient-${name}-...) are:`,
    '',
    '        * A DynamoDB table that the web service depends on to provide book, movie, and song recommendations.',
    '        * An EC2 launch template that defines EC2 instances that each run the recommendation web server.',
    '        * An EC2 Auto Scaling group that manages EC2 instances across several Availability Zones.',
    '        * An Elastic Load Balancing (ELB) load balancer that targets the Auto Scaling group to distribute requests.',
    '        * IAM roles and instance profiles, and three SSM parameters that drive the demo.',
    style.dim(RULE),
  ].join('\n');
}
