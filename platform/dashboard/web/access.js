// Which pages the nav links, from /whoami: the same permissions the API checks, so a link never leads to a
// refusal and no page the token may open is hidden. No DOM: the node tests hold each rule against the API.

/** Has any of `classes` (a role class list of /whoami) the class `cls`? */
const has = (classes, cls) => classes.includes(cls);

/**
 * May `me` list runs (GET /runs, run-access.ts's mayListRuns): the cluster's view sees every run; container
 * view, cluster-wide or in a tenant, sees the runs started under the tenants it may view (edit implies view).
 */
export const mayListRuns = (me) =>
  has(me.cluster_views, 'cluster') ||
  has(me.cluster_views, 'container') ||
  Object.values(me.namespace_views).some((classes) => has(classes, 'container'));

/** May `me` open the reports (GET /reports): the cluster's view. */
export const mayListReports = (me) => has(me.cluster_views, 'cluster');

/** May `me` change anything (the Operate page offers only the forms its roles allow): any edit role. */
export const mayOperate = (me) => me.cluster_edits.length > 0 || Object.values(me.namespace_edits).some((classes) => classes.length > 0);
