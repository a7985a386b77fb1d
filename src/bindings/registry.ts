// Every `api.*` binding scripts get. A new binding is one folder here with a
// BindingDefinition, added to this list.
import type { BindingDefinition } from './binding.js';
import { restV1 } from './rest-v1/index.js';

export const builtinBindings: readonly BindingDefinition[] = [restV1];
