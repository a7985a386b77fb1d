// The HTTP server (SPEC §6) for `scriptcode serve` and for embedders.
export { createServer, type ScriptCodeServer, type ServerOptions, type CloseResult } from './server.js';
export { parseServerConfig, serverConfigSchema, isLoopbackHost, type ServerConfig } from './config.js';
export { exitOnSignals, type ShutdownOptions } from './shutdown.js';
export { openApiDocument } from './openapi.js';
