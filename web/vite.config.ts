import path from 'node:path';
import { defineConfig } from 'vite';

// Plain Vite with Preact's automatic JSX runtime (Oxc transforms it): no framework plugin needed.
export default defineConfig(({ mode }) => ({
  root: import.meta.dirname,
  base: '/',
  // development: the dev runtime (jsxDEV) embeds source paths: only for `vite` dev, never in a build.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: mode === 'development' } },
  build: {
    outDir: path.join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // The app's HTML is served by the Worker with a strict CSP: no inline scripts or styles.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
}));
