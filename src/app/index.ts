// The application loader: configuration, secret references, script discovery and sources.
export * from './types.js';
export { Application, SCRIPT_NAME, type ApplicationLoadOptions, type ScriptChange, type ScriptEntry } from './application.js';
export { loadConfig, CONFIG_FILE, type ConfigOverrides, type DeepPartial, type LoadConfigOptions } from './load-config.js';
export { configSchemas, type ConfigSchemas } from './config-schema.js';
export { resolveSecretRefs, collectSecretRefs, type SecretRefOptions } from './secret-refs.js';
export { loadScriptMetadata, parseScriptMetadata, scriptMetadataSchema, type MetadataFile } from './metadata.js';
export { ConfigError, ScriptMetadataError, ApplicationNotFoundError, type ConfigIssue } from './errors.js';
