// Fails when the API section of README.md is not what `npm run docgen`
// generates from src/definitions.ts (run `npm run docgen` and commit).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'docgen-check-'));
try {
  const readme = join(dir, 'README.md');
  copyFileSync(join(root, 'README.md'), readme);
  execFileSync(
    join(root, 'node_modules', '.bin', 'docgen'),
    ['--api', 'LogtoNativePlugin', '--output-readme', readme, '--output-json', join(dir, 'docs.json')],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (readFileSync(readme, 'utf8') !== readFileSync(join(root, 'README.md'), 'utf8')) {
    console.error('README.md is out of date with src/definitions.ts: run `npm run docgen` and commit README.md.');
    process.exit(1);
  }
  console.log('docgen check: README.md API section is up to date.');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
