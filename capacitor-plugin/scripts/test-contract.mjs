// Contract and module-mode test of the packed package (run after `npm run build`; test-all.sh does):
//
//   1. api parity: contract/api-parity.ts checks, with tsc, every public export and every public instance method of
//      the official @logto/capacitor (pinned in devDependencies) against this package's built declarations;
//      contract/checker-self-test.ts proves that those checks fail on a missing or incompatible member.
//   2. `npm pack`, then @arethetypeswrong/cli on the tarball (types per resolution mode, ESM/CJS masquerading).
//   3. a fresh consumer project in a temp dir that installs the tarball (and @capacitor/core), where
//      contract/guide-snippet.ts (the Logto guide's Capacitor code, import line changed) is compiled by tsc in every
//      module mode a Capacitor app uses: bundler (module esnext and preserve), node16 and nodenext from an ES module
//      (.mts) and from a CommonJS module (.cts), and node10 (module commonjs); skipLibCheck off, so the shipped
//      declarations are checked in each mode too;
//   4. Node itself: `import` and `require` of the package resolve to the ESM and CommonJS builds and work;
//   5. a Vite build and two webpack builds (from the ESM and from the CommonJS output of the snippet).
//
// Prints one line per check and "contract: N passed, M failed"; exits non-zero when a check fails.
// KEEP_CONTRACT_TMP=1 keeps the temp dir.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const capVersion = '8.5.2';
const started = Date.now();
const work = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'logto-native-contract.'));
const requireFromPlugin = createRequire(join(root, 'package.json'));
const tsc = requireFromPlugin.resolve('typescript/bin/tsc');
const attw = join(dirname(requireFromPlugin.resolve('@arethetypeswrong/cli/package.json')), 'dist/index.js');
const vite = join(dirname(requireFromPlugin.resolve('vite/package.json')), 'bin/vite.js');

let passed = 0;
let failed = 0;
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1);

/** Runs a command; resolves { ok, output }. */
const run = (command, args, options = {}) =>
  new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error}` }));
    child.on('close', (status) => resolve({ ok: status === 0, output }));
  });

/** Runs `tasks` (functions returning promises) with at most `limit` at a time, keeping their order in the result. */
const pool = async (limit, tasks) => {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
};
const parallel = Math.max(2, Math.min(4, availableParallelism()));

/** Starts a timed command: resolves [result, seconds it took]. */
const timed = async (command, args, options) => {
  const since = Date.now();
  const result = await run(command, args, options);
  return [result, seconds(since)];
};

/** Records a check: `result` is true, or { ok, output } (the output is printed when it failed). */
const check = (description, took, result) => {
  const ok = result === true || result?.ok === true;
  console.log(`${ok ? 'ok  ' : 'FAIL'} - ${description} (${took} s)`);
  if (!ok && result?.output) {
    console.log(result.output.replace(/^/gm, '    ').trimEnd());
  }
  if (ok) passed += 1;
  else failed += 1;
  return ok;
};

const finish = () => {
  if (process.env.KEEP_CONTRACT_TMP === '1') console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`contract checks took ${seconds(started)} s`);
  console.log(`contract: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
};

if (!existsSync(join(root, 'dist/esm/index.d.ts')) || !existsSync(join(root, 'dist/cjs/index.d.ts'))) {
  console.log('dist/ is missing or incomplete: run `npm run build` first.');
  failed += 1;
  finish();
}

// --- 1. API parity with the official package (runs beside steps 2 and 3) -----------------------------------------
const listed = (name) => {
  const text = readFileSync(join(root, 'contract/api-parity.ts'), 'utf8');
  const body = new RegExp(`export const ${name} = \\[([^\\]]*)\\]`).exec(text)?.[1] ?? '';
  return [...body.matchAll(/'([^']+)'/g)].map((m) => m[1]);
};
const officialVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/@logto/capacitor/package.json'), 'utf8'),
).version;
const parity = timed(process.execPath, [tsc, '-p', join(root, 'contract/tsconfig.json')]);

// --- 2. pack + arethetypeswrong -----------------------------------------------------------------------------------
const [pack, packTook] = await timed('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
  cwd: root,
});
const tarball = join(work, pack.output.trim().split('\n').pop() ?? '');
const packed = check('npm pack (dist/ as built)', packTook, pack.ok && existsSync(tarball) ? true : pack);
const typesWrong = packed ? timed(process.execPath, [attw, tarball, '--format', 'table-flipped']) : undefined;

// --- 3. a consumer project: tsc in every module mode ---------------------------------------------------------------
const app = join(work, 'app');
mkdirSync(join(app, 'src'), { recursive: true });
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'contract-consumer', private: true }, null, 2));
const [install, installTook] = packed
  ? await timed(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--save-exact',
        `@capacitor/core@${capVersion}`,
        tarball,
      ],
      { cwd: app },
    )
  : [{ ok: false, output: 'not packed' }, '0.0'];

const [parityResult, parityTook] = await parity;
check(
  `api parity with @logto/capacitor ${officialVersion} and the checks' self-test (tsc -p contract/tsconfig.json)`,
  parityTook,
  parityResult,
);
console.log(`    instance methods checked: ${listed('checkedMethods').join(', ')}`);
console.log(
  `    properties checked: ${listed('checkedProperties').join(', ')} (adapter, jwtVerifier: none on purpose)`,
);
console.log(`    value exports checked: ${listed('checkedValueExports').join(', ')}`);
console.log(`    type exports checked: ${listed('checkedTypeExports').join(', ')}`);
if (typesWrong) {
  const [result, took] = await typesWrong;
  check(
    'arethetypeswrong: types resolve and match the JavaScript format under node10, node16 (ESM and CJS), bundler',
    took,
    result,
  );
}
if (!check('consumer project: npm install of the tarball and @capacitor/core', installTook, install)) finish();

const snippet = readFileSync(join(root, 'contract/guide-snippet.ts'), 'utf8');
for (const extension of ['ts', 'mts', 'cts']) {
  writeFileSync(join(app, 'src', `snippet.${extension}`), snippet);
}
const common = {
  target: 'es2022',
  lib: ['dom', 'es2022'],
  strict: true,
  skipLibCheck: false,
  types: [],
  rootDir: 'src',
};
const modes = [
  { name: 'bundler', options: { module: 'esnext', moduleResolution: 'bundler' }, file: 'snippet.ts', out: 'bundler' },
  {
    name: 'bundler, module preserve',
    options: { module: 'preserve', moduleResolution: 'bundler' },
    file: 'snippet.ts',
  },
  { name: 'node16, ESM importer (.mts)', options: { module: 'node16' }, file: 'snippet.mts' },
  { name: 'node16, CJS importer (.cts)', options: { module: 'node16' }, file: 'snippet.cts' },
  { name: 'nodenext, ESM importer (.mts)', options: { module: 'nodenext' }, file: 'snippet.mts' },
  { name: 'nodenext, CJS importer (.cts)', options: { module: 'nodenext' }, file: 'snippet.cts' },
  {
    name: 'node10, module commonjs',
    options: { module: 'commonjs', moduleResolution: 'node10' },
    file: 'snippet.ts',
    out: 'node10',
  },
];
const compiled = await pool(
  parallel,
  modes.map((mode) => () => {
    const config = join(app, `tsconfig.${mode.name.replace(/[^a-z0-9]+/gi, '-')}.json`);
    const emit = mode.out ? { outDir: join('out', mode.out) } : { noEmit: true };
    const compilerOptions = { ...common, ...mode.options, ...emit };
    writeFileSync(config, JSON.stringify({ compilerOptions, files: [`src/${mode.file}`] }, null, 2));
    return timed(process.execPath, [tsc, '-p', config]);
  }),
);
modes.forEach((mode, index) => {
  const [result, took] = compiled[index];
  check(`guide snippet compiles against the packed package: ${mode.name}`, took, result);
});

// --- 4. Node: import and require --------------------------------------------------------------------------------
const nodeCheck = `
  const LogtoClient = MODULE.default;
  const client = new LogtoClient({ endpoint: 'https://logto.test', appId: 'app' });
  for (const name of ['signIn', 'signOut', 'getOidcConfig', 'isSignInRedirected', 'setJwtVerifier', 'getIdTokenClaims']) {
    if (typeof client[name] !== 'function') throw new Error('missing ' + name);
  }
  if (MODULE.LogtoClient !== LogtoClient || typeof MODULE.Prompt !== 'object') throw new Error('named exports');
  let code;
  try { client.setJwtVerifier({ verifyIdToken: async () => {} }); } catch (error) { code = error.code; }
  if (code !== 'jwt_verifier_unsupported') throw new Error('setJwtVerifier: ' + code);
  console.log(RESOLVED);
`;
const nodeRuns = [
  [
    'Node: import() loads dist/esm/index.js and works',
    [
      '--input-type=module',
      '-e',
      `const MODULE = await import('logto-native-capacitor');
      const RESOLVED = import.meta.resolve('logto-native-capacitor');${nodeCheck}`,
    ],
    /\/dist\/esm\/index\.js$/,
  ],
  [
    'Node: require() loads dist/plugin.cjs.js and works',
    [
      '-e',
      `const MODULE = require('logto-native-capacitor');
      const RESOLVED = require.resolve('logto-native-capacitor');${nodeCheck}`,
    ],
    /\/dist\/plugin\.cjs\.js$/,
  ],
];
for (const [description, args, resolved] of nodeRuns) {
  const [result, took] = await timed(process.execPath, args, { cwd: app });
  check(
    description,
    took,
    result.ok && resolved.test(result.output.trim()) ? true : { ok: false, output: result.output },
  );
}

// --- 5. bundlers: Vite beside a webpack multi-compiler (ESM and CommonJS entries) ----------------------------------
writeFileSync(
  join(app, 'index.html'),
  '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="/src/snippet.ts"></script></body></html>\n',
);
const viteVersion = JSON.parse(readFileSync(requireFromPlugin.resolve('vite/package.json'), 'utf8')).version;
const viteBuild = timed(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', 'dist-vite'], { cwd: app });

const webpackVersion = JSON.parse(readFileSync(requireFromPlugin.resolve('webpack/package.json'), 'utf8')).version;
const webpackBuilds = [
  ['esm', 'ESM (import, from the bundler-mode output)', 'out/bundler/snippet.js', 'dist/esm/index.js'],
  ['cjs', 'CommonJS (require, from the node10-mode output)', 'out/node10/snippet.js', 'dist/plugin.cjs.js'],
];
const webpackRunner = join(work, 'webpack-build.cjs');
// One webpack process, one compiler per entry; prints one JSON line per build: { name, errors, warnings, resolved }.
writeFileSync(
  webpackRunner,
  `const webpack = require(${JSON.stringify(requireFromPlugin.resolve('webpack'))});
const builds = ${JSON.stringify(webpackBuilds.map(([name, , entry, expected]) => ({ name, entry: `./${entry}`, expected })))};
const configs = builds.map(({ name, entry }) => ({
  name, mode: 'production', target: 'web', entry, output: { path: ${JSON.stringify(app)} + '/dist-webpack-' + name },
  performance: false,
}));
webpack(configs, (error, multiStats) => {
  if (error) { console.error(error); process.exit(1); }
  multiStats.stats.forEach((stats, index) => {
    const info = stats.toJson({ all: false, errors: true, warnings: true, modules: true, nestedModules: true });
    const names = [];
    const walk = (modules) => modules?.forEach((m) => { names.push(m.name ?? ''); walk(m.modules); });
    walk(info.modules);
    const ours = names.filter((n) => n.includes('node_modules/logto-native-capacitor/'));
    console.log(JSON.stringify({
      name: builds[index].name,
      errors: info.errors.map((e) => e.message),
      warnings: info.warnings.map((w) => w.message),
      resolved: ours.some((n) => n.endsWith('logto-native-capacitor/' + builds[index].expected)),
      modules: ours,
    }));
  });
});
`,
);
const webpackEntriesExist = webpackBuilds.every(([, , entry]) => existsSync(join(app, entry)));
const webpackRun = webpackEntriesExist
  ? timed(process.execPath, [webpackRunner], { cwd: app })
  : Promise.resolve([{ ok: false, output: 'the snippet was not emitted (see the tsc checks above)' }, '0.0']);

const [viteResult, viteTook] = await viteBuild;
const viteChunks = viteResult.ok ? readdirSync(join(app, 'dist-vite/assets')).filter((f) => f.endsWith('.js')) : [];
const viteText = viteChunks.map((f) => readFileSync(join(app, 'dist-vite/assets', f), 'utf8')).join('\n');
check(
  `Vite ${viteVersion} build of the snippet (the web platform and @logto/browser in lazy chunks)`,
  viteTook,
  viteResult.ok && viteChunks.length >= 2 && viteText.includes('LogtoNative') && !/warn/i.test(viteResult.output)
    ? true
    : { ok: false, output: `${viteResult.output}\nchunks: ${viteChunks.join(', ')}` },
);

const [webpackResult, webpackTook] = await webpackRun;
const reports = new Map(
  webpackResult.output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .map((report) => [report.name, report]),
);
for (const [name, flavour, , expected] of webpackBuilds) {
  const report = reports.get(name);
  const ok = webpackResult.ok && report?.errors.length === 0 && report.warnings.length === 0 && report.resolved;
  check(
    `webpack ${webpackVersion} build of the snippet, ${flavour}: resolves ${expected}`,
    webpackTook,
    ok ? true : { ok: false, output: report ? JSON.stringify(report, null, 2) : webpackResult.output },
  );
}

finish();
