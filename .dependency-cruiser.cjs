/**
 * Dependency rules for berth, as data: ARCHITECTURE.md "Dependency direction".
 * Run: npx depcruise --config .dependency-cruiser.cjs src bin   (npm run depcheck)
 *
 * ALLOWED lists, for each folder under src/, the other folders it may import.
 * Imports inside a folder are always allowed; node built-ins and packages are
 * not policed here. Tests (*.test.ts, test/) are exempt from every rule.
 */
const TESTS = '(\\.test\\.ts$|^test/)';

const DOMAIN = ['content', 'snapshots', 'metadata', 'images', 'distribution', 'registry', 'builder', 'runtime', 'network', 'volumes'];
const BASE = ['oci', 'lib', 'errdefs'];

/** folder → folders it may import (besides itself) */
const ALLOWED = {
  errdefs: [],
  lib: ['errdefs'],
  oci: ['lib', 'errdefs'],
  // api → oci, types only (see the api-types-only rule); nothing else of ours
  api: ['oci'],
  content: BASE,
  snapshots: BASE,
  metadata: BASE,
  images: ['content', 'snapshots', 'metadata', ...BASE],
  distribution: ['content', 'images', ...BASE],
  registry: ['content', 'images', ...BASE],
  runtime: BASE,
  network: BASE,
  volumes: BASE,
  builder: ['images', 'content', 'snapshots', ...BASE],
  // engine → all domain modules and api types; never server, client, cli, daemon
  engine: [...DOMAIN, 'api', ...BASE],
  // server → its own backend interfaces (inside server/), api, errdefs, lib; never engine, runtime or stores
  server: ['api', 'errdefs', 'lib'],
  // daemon → everything but client and cli
  daemon: [...DOMAIN, 'engine', 'server', 'api', ...BASE],
  client: ['api', 'errdefs', 'lib'],
  // (plus src/cli/commands/registry/ → src/registry/registry-server.ts: see the
  // registry-command rule; the registry server is its own application, run in-process)
  cli: ['client', 'api', 'lib', 'errdefs'],
};

const layerRules = Object.entries(ALLOWED).map(([folder, allowed]) => ({
  name: `${folder}-imports`,
  comment: `src/${folder}/ may import only: ${allowed.length ? allowed.join(', ') : 'nothing of ours'} (ARCHITECTURE.md, Dependency direction)`,
  severity: 'error',
  from: { path: `^src/${folder}/`, pathNot: folder === 'cli' ? [TESTS, '^src/cli/commands/registry/(serve|gc)\\.ts$'] : TESTS },
  to: { path: '^(src|bin)/', pathNot: `^src/(${[folder, ...allowed].join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'registry-command',
      comment: '`berth registry serve|gc` run the registry server in-process: they may import src/registry/registry-server.ts and, like the rest of cli/, client/api/lib/errdefs',
      severity: 'error',
      from: { path: '^src/cli/commands/registry/(serve|gc)\\.ts$' },
      to: { path: '^(src|bin)/', pathNot: ['^src/registry/registry-server\\.ts$', '^src/(cli|client|api|lib|errdefs)/'] },
    },
    {
      name: 'api-types-only',
      comment: 'src/api/ may use oci/ for types only: it does no I/O and carries no behaviour of other layers',
      severity: 'error',
      from: { path: '^src/api/', pathNot: TESTS },
      to: { path: '^src/oci/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'unknown-folder',
      comment: 'every source file lives in a folder the rules know; add new folders to ALLOWED',
      severity: 'error',
      from: { path: '^src/', pathNot: [TESTS, `^src/(${Object.keys(ALLOWED).join('|')})/`] },
      to: {},
    },
    {
      name: 'bin-berth-cli-only',
      comment: 'bin/berth.ts is argv → cli, nothing else',
      severity: 'error',
      from: { path: '^bin/berth\\.ts$' },
      to: { path: '^(src|bin)/', pathNot: '^src/cli/' },
    },
    {
      name: 'bin-berthd-daemon-only',
      comment: 'bin/berthd.ts is argv → daemon, nothing else',
      severity: 'error',
      from: { path: '^bin/berthd\\.ts$' },
      to: { path: '^(src|bin)/', pathNot: '^src/daemon/' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles (tests exempt)',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true, viaNot: TESTS },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves (guards the .js → .ts resolution this config relies on)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-imports-from-tests',
      comment: 'production code never imports test code',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { path: TESTS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // type-only imports are dependencies too (the api-types-only rule needs to see them)
    tsPreCompilationDeps: true,
    // resolve NodeNext-style "./x.js" specifiers to ./x.ts
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
