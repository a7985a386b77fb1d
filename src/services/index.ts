// Services (SPEC §4.4): scriptcode.yaml's `services:`, `serviceDefaults:` and the
// reference platform's `scriptservice.api` list, validated into ServiceConfig by id.
export * from './types.js';
export { describeService, type ServiceSummary } from './describe-service.js';
export {
  resolveServices,
  mergeSettings,
  urlProblems,
  type UrlRules,
  CIRCUIT_BREAKER_DEFAULTS,
  type ResolveServicesOptions,
} from './resolve-services.js';
export {
  collectServiceDefinitions,
  convertReferenceList,
  referenceListToServices,
  definitionPath,
  serviceIdProblem,
  LIST_ENTRY_KEYS,
  type CollectOptions,
  type ServiceDefinition,
} from './reference-format.js';
export {
  serviceSchema,
  serviceDefaultsSchema,
  authSchema,
  allowedServiceKeys,
  isValidCidr,
  AUTH_TYPES,
  AUTH_KEYS,
  FORBIDDEN_HEADERS,
  HEADER_NAME,
  HTTP_METHODS,
  SERVICE_KEYS,
  type ParsedService,
  type ParsedServiceSettings,
} from './service-schema.js';
