// The shapes an application folder is loaded into (SPEC §2). Shared by the
// loader, the kinds and the runtime.

export type ScriptKind = 'scriptService' | 'validationScript' | 'scriptTask' | 'formatter';

export const SCRIPT_KINDS: readonly ScriptKind[] = ['scriptService', 'validationScript', 'scriptTask', 'formatter'];

/** Folder of the application that holds each kind. */
export const KIND_FOLDERS: Readonly<Record<ScriptKind, string>> = {
  scriptService: 'scripts',
  validationScript: 'validators',
  scriptTask: 'tasks',
  formatter: 'formatters',
};

/** Per-kind / per-script limit overrides (SPEC §5). Every key optional; the bindings' call budgets (restCalls, …) by name. */
export interface LimitOverrides {
  cpuMs?: number;
  wallMs?: number;
  memoryMb?: number;
  maxOutputBytes?: number;
  [budget: string]: number | undefined;
}

/** `<kind>/<name>.yaml` next to a script. */
export interface ScriptMetadata {
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean }>;
  outputs?: Record<string, { description?: string }>;
  /** validators: default message per error key, with {0}, {1}, … placeholders */
  messages?: Record<string, string>;
  limits?: LimitOverrides;
}

export interface ScriptSource {
  kind: ScriptKind;
  name: string;
  /** absolute path of the script file */
  path: string;
  /** path relative to the application folder with forward slashes, e.g. 'scripts/greeting.js'; used as the file name in error positions */
  relativePath: string;
  source: string;
  /** sha256 hex of the source text */
  hash: string;
  metadata: ScriptMetadata;
  /** language of the file: a `.ts` source has its types erased at load (positions unchanged) */
  language?: 'js' | 'ts';
}

export type SensitivePolicy = 'mask' | 'hash' | 'markers' | 'plain';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface AppConfig {
  /** services by id; the schema of one service arrives with api.rest.v1 (kept as given until then) */
  services: Record<string, unknown>;
  serviceDefaults?: Record<string, unknown>;
  limits: Partial<Record<ScriptKind, LimitOverrides>>;
  logging: {
    level: LogLevel;
    sensitive: SensitivePolicy;
    /** key for the `hash` policy (a secret reference is allowed) */
    hashKey?: string;
    /** log lines a single invocation may write before the rest are dropped */
    maxLinesPerInvocation: number;
  };
  cache: {
    /** how long a loaded script is trusted before its file is checked again (network file systems) */
    ttlMs: number;
    /** watch the folders and reload changed scripts at once */
    watch: boolean;
  };
  pool: {
    /** isolates per pool (memory size and mode); 'auto' sizes it from the machine's memory */
    maxIsolates: number | 'auto';
    /** invocations waiting for an isolate before new ones are refused */
    maxQueue: number;
    /** async-mode invocations sharing one isolate (what a memory bomb can take down with it) */
    asyncInvocationsPerIsolate: number;
    /** isolates kept ready ahead of demand */
    spareIsolates: number;
    /** an isolate unused this long is disposed (down to spareIsolates) */
    idleSeconds: number;
  };
  server?: Record<string, unknown>;
  /** state shared by every process and machine serving the application (SPEC §9); in-process without it */
  state?: {
    redis?: {
      /** redis://[user:password@]host:port[/db] (a secret reference is allowed) */
      url: string;
      /** prefix of every key written */
      keyPrefix: string;
      /** how long a Redis command may take before the process goes on with its own state */
      timeoutMs: number;
    };
  };
  /** the reference platform's service list (`scriptservice.api: [{ serviceId, url, authorization }]`), kept as given for the services loader to convert */
  scriptservice?: unknown;
  /** the sections of bindings an embedder added (BindingDefinition.config), parsed by their schemas */
  [section: string]: unknown;
}
