/**
 * The import rules of ARCHITECTURE.md, checked by test/architecture.test.ts (dependency-cruiser). Paths are
 * relative to the repository root. Type-only imports count (tsPreCompilationDeps): a cycle through types is
 * still a cycle between modules.
 */
// The ground floor: files every part may import, which import only each other (and npm or Node).
const GROUND = '^(platform/errors|platform/yaml-input|platform/yaml-problems|bench/package-root)[.]ts$';
const PARTS = '^(sim|bench|platform|reports)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'No import cycle anywhere.', from: {}, to: { circular: true } },
    {
      name: 'ground-floor-stays-down',
      severity: 'error',
      comment: 'The ground floor (error catalogue, YAML input, package root) imports only the ground floor.',
      from: { path: GROUND },
      to: { path: PARTS, pathNot: GROUND },
    },
    {
      name: 'sim-imports-only-sim',
      severity: 'error',
      comment: 'The model is pure computation: it imports nothing outside sim/.',
      from: { path: '^sim/' },
      to: { path: PARTS, pathNot: '^sim/' },
    },
    {
      name: 'sim-core-is-the-kernel',
      severity: 'error',
      comment: 'The kernel imports nothing else of the model.',
      from: { path: '^sim/core/' },
      to: { path: '^sim/', pathNot: '^sim/core/' },
    },
    {
      name: 'bench-below-platform-and-reports',
      severity: 'error',
      comment: 'bench (except bench/perf, the top floor) imports sim, bench and the ground floor only.',
      from: { path: '^bench/', pathNot: '^bench/perf/' },
      to: { path: '^(platform|reports)/', pathNot: GROUND },
    },
    {
      name: 'results-know-no-target',
      severity: 'error',
      comment: 'Results are written the same whatever ran: bench/results imports no other part of bench.',
      from: { path: '^bench/results/' },
      to: { path: '^bench/', pathNot: `^bench/results/|${GROUND}` },
    },
    {
      name: 'workloads-know-no-target',
      severity: 'error',
      comment: 'Job files are read without knowing where they run: bench/workloads imports no other part of bench.',
      from: { path: '^bench/workloads/' },
      to: { path: '^bench/', pathNot: `^bench/workloads/|${GROUND}` },
    },
    {
      name: 'scenarios-know-no-target',
      severity: 'error',
      comment:
        'Cluster scenarios are read without knowing what runs them: bench/scenario imports job files, not targets, results or the run.',
      from: { path: '^bench/scenario/' },
      to: { path: '^bench/', pathNot: `^bench/(scenario|workloads)/|${GROUND}` },
    },
    {
      name: 'checks-know-no-target',
      severity: 'error',
      comment:
        'SLAs are judged on results, whatever ran them: bench/check imports scenarios, job files and results, not targets or the run.',
      from: { path: '^bench/check/' },
      to: { path: '^bench/', pathNot: `^bench/(check|scenario|workloads|results)/|${GROUND}` },
    },
    {
      name: 'targets-below-the-run',
      severity: 'error',
      comment: 'Targets run jobs; the run entry, calibration, net and discovery use targets, not the other way.',
      from: { path: '^bench/targets/' },
      to: { path: '^bench/(run[.]ts|calibrate/|net/|discovery/)' },
    },
    {
      name: 'nothing-imports-bench-perf',
      severity: 'error',
      comment: "bench/perf is the top floor: the project's own benchmarks.",
      from: { pathNot: '^bench/perf/' },
      to: { path: '^bench/perf/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      comment: 'platform/cli is the top floor: every command is a verb there.',
      from: { pathNot: '^platform/cli/' },
      to: { path: '^platform/cli/' },
    },
    {
      name: 'control-plane-below-bench-and-reports',
      severity: 'error',
      comment: 'The control plane (domain, scheduler, state, manifests, api) imports sim and the ground floor, not bench or reports.',
      from: { path: '^platform/(domain|scheduler|state|manifests|api)/' },
      to: { path: '^(bench|reports)/', pathNot: GROUND },
    },
    {
      name: 'scheduler-is-pure',
      severity: 'error',
      comment: 'The scheduler places demands on a node table; it knows no other part of the platform.',
      from: { path: '^platform/scheduler/' },
      to: { path: '^platform/(domain|state|manifests|api|cli)/' },
    },
    {
      name: 'domain-without-storage',
      severity: 'error',
      comment: 'The domain runs in process without SQLite: it imports no state, manifests or api.',
      from: { path: '^platform/domain/' },
      to: { path: '^platform/(state|manifests|api)/' },
    },
    {
      name: 'state-below-manifests-and-api',
      severity: 'error',
      comment: 'The state store imports the domain only.',
      from: { path: '^platform/state/' },
      to: { path: '^platform/(manifests|api)/' },
    },
    {
      name: 'manifests-below-state-and-api',
      severity: 'error',
      comment: 'Manifests become domain changes; they import no state or api.',
      from: { path: '^platform/manifests/' },
      to: { path: '^platform/(state|api)/' },
    },
    {
      name: 'cluster-uses-the-control-plane-and-the-model',
      severity: 'error',
      comment:
        'platform/cluster (the platform realised on the model) imports sim, bench, the domain, state, manifests and the ground floor: not the scheduler directly, the api, the cli or reports.',
      from: { path: '^platform/cluster/' },
      to: { path: '^(reports/|platform/(scheduler|api|cli)/)' },
    },
    {
      name: 'only-the-cli-imports-cluster',
      severity: 'error',
      comment: 'platform/cluster is imported by platform/cli only (bench and the control plane stay below it).',
      from: { pathNot: '^platform/(cli|cluster)/' },
      to: { path: '^platform/cluster/' },
    },
    {
      name: 'reports-not-control-plane',
      severity: 'error',
      comment: 'Reports read the model and results (sim, bench), not the control plane.',
      from: { path: '^reports/' },
      to: { path: '^platform/', pathNot: GROUND },
    },
    {
      name: 'tco-below-render',
      severity: 'error',
      comment: 'The TCO computation knows nothing of how it is drawn.',
      from: { path: '^reports/tco/' },
      to: { path: '^reports/(render|charts)/' },
    },
    {
      name: 'charts-below-render',
      severity: 'error',
      comment: 'Charts are drawn for the report, not from it.',
      from: { path: '^reports/charts/' },
      to: { path: '^reports/render/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
