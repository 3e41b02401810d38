import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const exampleDir = fileURLToPath(new URL('.', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// The example imports the plugin by its package name. The alias points at the
// package directory, so Vite resolves it through package.json ("module":
// dist/esm/index.js), exactly as in an app that installed the packed package.
// Run `npm run build` in the package first.
export default defineConfig({
  root: exampleDir,
  resolve: {
    alias: [{ find: /^logto-native-capacitor$/, replacement: packageDir }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
