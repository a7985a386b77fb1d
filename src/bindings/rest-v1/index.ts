// api.rest.v1 (SPEC §4): the binding definition. The script-facing object is
// isolate.ts (runs inside the isolate); the host side is RestGateway.
import type { BindingDefinition } from '../binding.js';
import { isolateSource } from '../../sandbox/isolate-source.js';
import { RestGateway } from './gateway.js';

export const restV1: BindingDefinition = {
  path: 'rest.v1',
  budget: 'restCalls',
  // read (dist/) or bundled (src/) when a sandbox first needs it
  get isolateSource() {
    return isolateSource(new URL('./isolate.ts', import.meta.url));
  },
  createGateway: (env) => RestGateway.create(env),
};
