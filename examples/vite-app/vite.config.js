// Vite's configuration for the example. Vite finds the package's WebAssembly
// modules, models and worker on its own, from its `new URL('./…',
// import.meta.url)` expressions, and emits them as assets; the two settings
// below are for Vite 7 and earlier, and change nothing that matters in Vite 8.
import { defineConfig } from 'vite';

export default defineConfig({
  // Vite 7's dev server pre-bundles dependencies into node_modules/.vite,
  // where the package's URLs relative to its own files point at nothing.
  optimizeDeps: { exclude: ['mmguard'] },
  // The package's worker loads code with import(), which Vite 7 cannot bundle
  // in its default worker format (iife). As ES modules, Vite 8 too keeps the
  // image detectors' glue code out of the worker until an image needs it.
  worker: { format: 'es' },
  // Only because this example links mmguard from the repository
  // (file:../../pkg), outside its own folder, which the dev server would not
  // serve. An app that installs mmguard from npm leaves this out.
  server: { fs: { allow: ['.', '../../pkg'] } },
});
