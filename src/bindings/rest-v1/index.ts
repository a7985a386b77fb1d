// api.rest.v1 (SPEC §4): the binding definition. The script-facing object is
// rest.isolate.js; the host side is RestGateway.
import { readFileSync } from 'node:fs';
import type { BindingDefinition } from '../binding.js';
import { RestGateway } from './gateway.js';

export const restV1: BindingDefinition = {
  path: 'rest.v1',
  budget: 'restCalls',
  isolateSource: readFileSync(new URL('./rest.isolate.js', import.meta.url), 'utf8').trim(),
  createGateway: (env) => RestGateway.create(env),
};
