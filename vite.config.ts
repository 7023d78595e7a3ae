// Builds the React console (src/web) into dist/web, which `minewarden serve` answers on api.listen.
// JSX goes through esbuild's automatic runtime; no React plugin is needed for a production build.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  base: '/',
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // ECharts is most of the weight and changes least: its own long-cached file.
        manualChunks: (id) => (id.includes('node_modules/echarts') || id.includes('node_modules/zrender') ? 'echarts' : id.includes('node_modules') ? 'vendor' : undefined),
      },
      onwarn(warning, warn) {
        // react-query and react-router mark modules "use client" for React Server Components; irrelevant in a browser bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  esbuild: { jsx: 'automatic' },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
