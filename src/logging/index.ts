export { createSensitiveRenderer, type SensitiveRenderer, MASK, MARKER_START, MARKER_STOP } from './sensitive.js';
export { formatMessage, type LogArg } from './format-message.js';
export { createRuntimeLogger, type RuntimeLogger, type RuntimeLoggerOptions } from './logger.js';
export { InvocationLog, type ScriptLogLine, type ScriptLogLevel } from './invocation-log.js';
