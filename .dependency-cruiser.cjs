// The layers of docs/DESIGN.md section 6, checked by test/architecture/layers.test.ts (npm test).
// Production files only: tests, benchmarks and examples may reach across layers.
//
//   L0  src/api, src/errors.ts      contracts: kinds, Status, the store/registry interfaces
//   L1  src/platform, src/dotnet, src/discovery
//   L2  apiserver/ (L0 only)        src/runtime (L0, L1)
//   L3  controllers/ (L0-L2 of src; never apiserver/)
//   L4  src/host: the composition root, the only place that wires apiserver/ and controllers/
//   L5  src/cli, src/builder, src/index.ts, src/dashboard, src/export
const L0 = 'src/api/|src/errors\\.ts$';
const L1 = 'src/(platform|dotnet|discovery)/';
// Packages (wherever node_modules resolves to) and the CRD files are never a layer violation.
const EXTERNAL = '(^|/)node_modules/|^crds/';
const only = (...allowed) => `^(${allowed.join('|')})|${EXTERNAL}`;
const TESTS = '(\\.test\\.ts$|^test/|^bench/|^examples/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'L0-contracts-import-nothing-above',
      comment: 'src/api and src/errors.ts are the contracts every layer shares: they import only each other.',
      severity: 'error',
      from: { path: `^(${L0})`, pathNot: TESTS },
      to: { pathNot: only(L0), dependencyTypesNot: ['core'] },
    },
    {
      name: 'L1-adapters-use-contracts-only',
      comment: 'Platform adapters, .NET and discovery helpers know the contracts and each other, nothing above.',
      severity: 'error',
      from: { path: `^${L1}`, pathNot: TESTS },
      to: { pathNot: only(L0, L1), dependencyTypesNot: ['core'] },
    },
    {
      name: 'L2-apiserver-uses-contracts-only',
      comment: 'The API server implements the store and registry contracts of src/api; it knows no controller, runtime or CLI.',
      severity: 'error',
      from: { path: '^apiserver/', pathNot: TESTS },
      to: { pathNot: only('apiserver/', L0), dependencyTypesNot: ['core'] },
    },
    {
      name: 'L2-runtime-below-controllers',
      comment: 'The controller runtime uses the contracts and the adapters, never the API server, controllers or front ends.',
      severity: 'error',
      from: { path: '^src/runtime/', pathNot: TESTS },
      to: { pathNot: only('src/runtime/', L0, L1), dependencyTypesNot: ['core'] },
    },
    {
      name: 'L3-controllers-never-apiserver',
      comment: 'Controllers meet only in the store, through the runtime client: never the API server, the host or a front end.',
      severity: 'error',
      from: { path: '^controllers/', pathNot: TESTS },
      to: { pathNot: only('controllers/', 'src/runtime/', L0, L1), dependencyTypesNot: ['core'] },
    },
    {
      name: 'L4-host-below-front-ends',
      comment: 'src/host wires apiserver/ and controllers/; the front ends (CLI, builder, dashboard, export) sit above it.',
      severity: 'error',
      from: { path: '^src/host/', pathNot: TESTS },
      to: { path: '^src/(cli|builder|dashboard|export)/|^src/index\\.ts$' },
    },
    {
      name: 'only-host-wires-apiserver-and-controllers',
      comment: 'Front ends reach the API server and the controllers through src/host (or over HTTP), not directly.',
      severity: 'error',
      from: { path: '^src/(cli|builder|dashboard|export)/|^src/index\\.ts$', pathNot: TESTS },
      to: { path: '^(apiserver|controllers)/' },
    },
    {
      name: 'production-never-imports-tests',
      comment: 'Test support lives in test/support; production code must not load it.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: 'no-circular',
      comment: 'A cycle means two modules are one idea split in two, or one layer reaching up.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|web/dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // conditionNames/exportsFields: package subpaths resolve through their exports map (rxjs/internal/*).
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'], exportsFields: ['exports'], conditionNames: ['types', 'import', 'require', 'node', 'default'] },
  },
};
