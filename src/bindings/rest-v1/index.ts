// api.rest.v1 (SPEC §4): the binding definition. The script-facing object is
// isolate.ts (runs inside the isolate); the host side is RestGateway; config.ts
// its sections of scriptcode.yaml; budget.ts its call budget (restCalls);
// typings.d.ts its part of the script authors' typings.
import { readFileSync } from 'node:fs';
import type { BindingDefinition } from '../binding.js';
import { isolateSource } from '../../sandbox/isolate-source.js';
import { restCallBudget } from './budget.js';
import { restConfig } from './config.js';
import { RestGateway, type RestBindingOptions } from './gateway.js';

export const restV1: BindingDefinition = {
  path: 'rest.v1',
  budget: restCallBudget,
  config: restConfig,
  // read (dist/) or bundled (src/) when a sandbox first needs it
  get isolateSource() {
    return isolateSource(new URL('./isolate.ts', import.meta.url));
  },
  // read when asked for (scripts/gen-typings.ts): types/scriptcode.d.ts already holds it, so a start never needs it
  get typings() {
    return readFileSync(new URL('./typings.d.ts', import.meta.url), 'utf8');
  },
  createGateway: (env) => RestGateway.create(env, env.options as RestBindingOptions | undefined),
};
