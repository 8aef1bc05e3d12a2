import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

// electron-vite builds three bundles: the main process, the preload script and the renderer.
// Everything lands in out/ (main/, preload/, renderer/); `hooktray ui` serves out/renderer too.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          main: resolve(__dirname, 'electron/main.ts'),
          // The store looks for its writer thread's script beside its own module.
          'store-writer-worker': resolve(__dirname, 'electron/core/store-writer-worker.ts'),
          // The replay service looks for its diff thread's script there too.
          'diff-worker': resolve(__dirname, 'electron/core/diff-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load ESM or node_modules: bundle it whole as CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(__dirname, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves bundles unminified; the renderer's first paint waits on parsing it.
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
