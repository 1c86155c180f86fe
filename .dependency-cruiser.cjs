// Nimbus's import rules (docs/DEVELOPING.md, "Import rules"), checked by `npm test` (npm run depcruise).
// Type-only imports are ignored (tsPreCompilationDeps: false): only what runs is held to the rules.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Modules depend one way; a cycle means a piece belongs elsewhere.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'services-not-into-gateway-protocols-admin',
      severity: 'error',
      comment: 'Services reach the gateway, the protocols and the admin API only through src/kit.ts.',
      from: { path: '^src/services/' },
      to: { path: '^src/(gateway|protocols|admin)/' },
    },
    {
      name: 'no-service-into-another',
      severity: 'error',
      comment: "A service never imports another service's folder: it uses rt.integrations or rt.invoke.",
      from: { path: '^src/services/([^/]+)/' },
      to: { path: '^src/services/([^/]+)/', pathNot: '^src/services/$1/' },
    },
    {
      name: 'gateway-protocols-not-into-services',
      severity: 'error',
      comment: 'The gateway and the protocols name no service: they read profiles, never a service folder.',
      from: { path: '^src/(gateway|protocols)/' },
      to: { path: '^src/services/[^/]+/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/generated/' },
  },
};
