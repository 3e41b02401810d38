// Makes dist/ right for every module mode (run by `npm run build` after tsc and rollup):
//
// - dist/esm/package.json {"type":"module"}: dist/esm holds ES modules (the `import` condition and `module`), so
//   Node, TypeScript (node16/nodenext) and webpack must read its .js and .d.ts files as ESM, while the package root
//   stays CommonJS for `main` (dist/plugin.cjs.js). Without it, TypeScript types the package as CommonJS for an ESM
//   importer and `new LogtoClient()` fails with "This expression is not constructable".
// - dist/cjs/*.d.ts {"type":"commonjs"}: the declarations again, in a CommonJS scope, for the `require` condition
//   (its JavaScript is the rollup bundle dist/plugin.cjs.js), so that a CommonJS importer gets CommonJS types.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const esm = join(dist, 'esm');
const cjs = join(dist, 'cjs');

writeFileSync(join(esm, 'package.json'), '{ "type": "module" }\n');

rmSync(cjs, { recursive: true, force: true });
mkdirSync(cjs, { recursive: true });
const declarations = readdirSync(esm).filter((name) => name.endsWith('.d.ts'));
if (!declarations.includes('index.d.ts')) {
  throw new Error('write-module-types: dist/esm/index.d.ts is missing (run tsc first)');
}
for (const name of declarations) {
  copyFileSync(join(esm, name), join(cjs, name));
}
writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
console.log(`write-module-types: dist/esm/package.json, ${declarations.length} declarations in dist/cjs`);
