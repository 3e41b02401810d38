import { nodeResolve } from '@rollup/plugin-node-resolve';

// Like the Capacitor plugin template: tsc writes dist/esm, rollup bundles it
// into an IIFE (for apps without a bundler; `@capacitor/core` comes from the
// global `capacitorExports`) and a CommonJS build. `@logto/browser` is loaded
// by `import()` in the web implementation only: the CommonJS build keeps that
// `import()`, the IIFE (which cannot import) bundles it.
const onwarn = (warning) => {
  // jose and @logto/* ship `this` at module level in a few helpers; harmless.
  if (warning.code === 'THIS_IS_UNDEFINED') return;
  throw new Error(`rollup: ${warning.message}`);
};

export default [
  {
    input: 'dist/esm/index.js',
    output: {
      file: 'dist/plugin.js',
      format: 'iife',
      name: 'capacitorLogtoNative',
      globals: { '@capacitor/core': 'capacitorExports' },
      sourcemap: true,
      inlineDynamicImports: true,
      exports: 'named',
    },
    external: ['@capacitor/core'],
    plugins: [nodeResolve({ browser: true })],
    onwarn,
  },
  {
    input: 'dist/esm/index.js',
    output: {
      file: 'dist/plugin.cjs.js',
      format: 'cjs',
      sourcemap: true,
      inlineDynamicImports: true,
      exports: 'named',
    },
    external: ['@capacitor/core', '@logto/browser'],
    onwarn,
  },
];
