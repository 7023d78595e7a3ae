/**
 * The layer rules of ARCHITECTURE.md, enforced in `npm test`. A violation fails the build.
 * Layers (lower may never import higher):
 *   model, core  <  config  <  store  <  intel, org, auth, policy  <  events  <  dns, sensors, detect, incidents, reports
 *   <  services  <  api  <  cli;   web (the React console) imports only model (types).
 * and a capability is entered only through its front door (index.ts), except the plain
 * `model/` and `core/` modules.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Import cycles make layers meaningless.', from: {}, to: { circular: true } },
    { name: 'model-is-plain', severity: 'error', comment: 'model/ holds plain types and imports no feature.', from: { path: '^src/model/' }, to: { path: '^src/(?!model/)' } },
    { name: 'core-is-bottom', severity: 'error', comment: 'core/ (logging, errors, time) imports only model.', from: { path: '^src/core/' }, to: { path: '^src/(?!core/|model/)' } },
    { name: 'config-below-features', severity: 'error', from: { path: '^src/config/' }, to: { path: '^src/(?!config/|core/|model/)' } },
    { name: 'store-below-domain', severity: 'error', comment: 'The store knows no domain module.', from: { path: '^src/store/' }, to: { path: '^src/(?!store/|config/|core/|model/)' } },
    { name: 'intel-org-below-events', severity: 'error', from: { path: '^src/(intel|org|auth|policy)/' }, to: { path: '^src/(events|dns|sensors|detect|incidents|reports|services|api|web|cli)/' } },
    { name: 'state-domains-apart', severity: 'error', comment: 'auth and policy know neither each other nor intel and org (they are handed what they need).', from: { path: '^src/(auth|policy)/' }, to: { path: '^src/(intel|org|auth|policy)/', pathNot: '^src/$1/' } },
    { name: 'events-below-sensing', severity: 'error', comment: 'events/ (ingest, maintenance, queries) serves the sensing layers and knows none of them.', from: { path: '^src/events/' }, to: { path: '^src/(dns|sensors|detect|incidents|reports|services|api|web|cli)/' } },
    { name: 'domain-below-services', severity: 'error', from: { path: '^src/(dns|sensors|detect|incidents|reports)/' }, to: { path: '^src/(services|api|web|cli)/' } },
    { name: 'services-below-api', severity: 'error', comment: 'services/ are the domain functions the API calls; they know nothing of HTTP.', from: { path: '^src/services/' }, to: { path: '^src/(api|web|cli)/' } },
    { name: 'web-is-apart', severity: 'error', comment: 'The console runs in the browser: it imports only plain model types.', from: { path: '^src/web/' }, to: { path: '^src/(?!web/|model/)' } },
    { name: 'nothing-imports-cli', severity: 'error', from: { path: '^src/(?!cli/)' }, to: { path: '^src/cli/' } },
    { name: 'only-cli-imports-api', severity: 'error', from: { path: '^src/(?!cli/|api/)' }, to: { path: '^src/api/' } },
    {
      name: 'front-door-only',
      severity: 'error',
      comment: 'Enter another capability only through its index.ts (model/ and core/ are plain modules).',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/(model|core)/'] },
    },
    { name: 'not-to-test', severity: 'error', from: { path: '^src/', pathNot: '\\.test\\.ts$' }, to: { path: '\\.test\\.ts$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
