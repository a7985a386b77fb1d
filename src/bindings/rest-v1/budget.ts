// How many REST calls one invocation may make (SPEC §5), with the scripts it
// calls: `limits.<kind>.restCalls` in scriptcode.yaml, `limits.restCalls` in a
// script's metadata.
import type { CallBudget } from '../binding.js';

export const restCallBudget: CallBudget = {
  name: 'restCalls',
  defaults: { scriptService: 50, validationScript: 20, scriptTask: 200, formatter: 0 },
  code: 'REST_CALL_LIMIT',
  describe: (limit, kind) =>
    kind === 'formatter' && limit === 0
      ? 'formatters cannot call REST services (REST call limit of 0)'
      : `REST call limit of ${limit} calls per invocation exceeded`,
};
