/** Stage banners, from the seed's "Demo" section and the article, corrected where they were wrong. */
export const STAGE_TEXTS: Readonly<Record<number, { title: string; text: string }>> = {
  1: {
    title: 'Initial state',
    text: 'The recommendation service responds and every instance is healthy. Requests are spread across instances in several Availability Zones.',
  },
  2: {
    title: 'Broken dependency',
    text: "To simulate a failure of the recommendation service, the table parameter now names a table that does not exist ('this-is-not-a-table'). GET requests now fail with 502, but every instance still reports healthy: shallow health checks do not check the recommendation service.",
  },
  3: {
    title: 'Static response',
    text: 'Instead of failing when the recommendation service fails, the web service now returns a static response. It is not a perfect answer, but better than an error. Health checks are still shallow, so everything reports healthy.',
  },
  4: {
    title: 'Bad credentials',
    text: 'The recommendation service is reinstated, and one instance gets credentials that cannot read the table (its instance profile is replaced and it is rebooted). GET requests now return a recommendation or a static response, depending on which instance answers.',
  },
  5: {
    title: 'Deep health checks',
    text: 'Health checks now test whether the server can reach the table. The instance with bad credentials reports unhealthy (Target.ResponseCodeMismatch, [503]) and the load balancer takes it out of rotation. Deep checks are for load-balancer routing only, never for Auto Scaling instance health.',
  },
  6: {
    title: 'Replace the failing instance',
    text: 'The unhealthy instance is terminated; Auto Scaling starts a replacement. Requests keep succeeding while it drains and the new instance starts, and the new instance joins the rotation once healthy.',
  },
  7: {
    title: 'Fail open',
    text: 'The recommendation service fails again. With deep health checks every instance now reports unhealthy, and the load balancer fails open: it keeps routing to all of them, which answer with the static response instead of an error.',
  },
  8: { title: 'Reset', text: 'The table parameter names the recommendation table again.' },
};
