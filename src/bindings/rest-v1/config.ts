// The sections of scriptcode.yaml api.rest.v1 owns: `services:`, `serviceDefaults:`
// and the reference platform's `scriptservice.api` list. The file's schema only
// checks their outline; every service is then checked with its own schema and
// defaults by resolveServices, with positions, in the same pass (`check`).
import { z } from 'zod';
import { ConfigError } from '../../app/errors.js';
import type { AppConfig } from '../../app/types.js';
import { resolveServices, SERVICES_HINT } from '../../services/resolve-services.js';
import type { BindingConfig } from '../binding.js';

const looseRecord = () => z.record(z.string(), z.unknown());

export const restConfig: BindingConfig = {
  sections: {
    services: z.record(z.string(), looseRecord()).default({}),
    serviceDefaults: looseRecord().optional(),
    // the reference platform's list format (`scriptservice.api: [{ serviceId, url, authorization }]`), converted by the services loader
    scriptservice: z.unknown().optional(),
  },
  hint: SERVICES_HINT,
  check(config, where) {
    try {
      resolveServices(config as AppConfig, where);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.issues;
      throw error;
    }
  },
};
