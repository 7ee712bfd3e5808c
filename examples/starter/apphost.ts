// The starter as a TypeScript apphost file: the same objects as apphost.yaml (tested).
//   node bin/apphostctl.js up -f examples/starter/apphost.ts
//   node bin/apphostctl.js manifest -f examples/starter/apphost.ts
// (Outside this repository, import from 'apphost' instead.)
import { createBuilder } from '../../src/index.ts';

const builder = createBuilder();

const api = builder
  .addNodeApp('api', '.', 'api.js')
  .withReplicas(2)
  .withHttpEndpoint({ env: 'PORT' })
  .withHttpHealthCheck('/health');

builder
  .addNodeApp('frontend', '.', 'frontend.js')
  .withReplicas(2)
  .withHttpEndpoint({ port: 5066, env: 'PORT' })
  .withReference(api)
  .waitFor(api, 'Healthy');

await builder.build().run();
