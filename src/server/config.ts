// The `server:` section of scriptcode.yaml (SPEC §6). Secret references are
// already resolved by the loader, so a token may come from `${env:…}` or
// `${file:…}`; messages never quote a value. Invalid settings are a
// ConfigError with paths `server.…`, and so is an unauthenticated server on a
// non-loopback address that was not declared open.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../app/errors.js';
import { bool, fromText, nonNegativeInt, positiveInt } from '../app/schema-helpers.js';
import { parseYaml, zodIssues, type KeyPath, type Position } from '../app/yaml-source.js';

/** Shortest bearer token accepted: a guessable token is no protection. */
export const MIN_TOKEN_LENGTH = 16;

const tokenSchema = z
  .string()
  .refine((token) => token.length >= MIN_TOKEN_LENGTH, `a token must have at least ${MIN_TOKEN_LENGTH} characters (use a long random value, e.g. the output of: openssl rand -hex 32)`)
  .regex(/^[\x21-\x7e]+$/, 'a token may contain visible ASCII characters only (no spaces)');

const authSchema = z.strictObject({
  /** bearer tokens accepted on /api/*; none = no authentication */
  tokens: z.array(tokenSchema).default([]),
  /** allow listening on a non-loopback address without tokens */
  open: bool().default(false),
});

const consoleSchema = z.strictObject({
  /** serve the web console at /console (and its endpoints under /api) */
  enabled: bool().default(true),
  /** the console may save script files; default: only when the server listens on loopback */
  edit: bool().optional(),
});

export const serverConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.preprocess(fromText, z.number().int().min(0).max(65535)).default(8080),
  auth: authSchema.prefault({}),
  /** largest request body accepted (413 above) */
  bodyLimitBytes: positiveInt().default(1024 * 1024),
  /** how long SIGTERM waits for in-flight invocations before closing connections */
  shutdownTimeoutMs: nonNegativeInt().default(30_000),
  /** trust X-Forwarded-* from these proxies (true = any, or a list of addresses / CIDRs) */
  trustProxy: z.union([bool(), z.array(z.string().min(1))]).default(false),
  /** isolates created per memory size before the server reports ready */
  warmIsolates: nonNegativeInt().default(1),
  /** server processes sharing the port (node:cluster); auto = one per core */
  workers: z.union([positiveInt(), z.literal('auto')]).default(1),
  /** the web console (docs/console.md) */
  console: consoleSchema.prefault({}),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;

const SECTION_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(serverConfigSchema.shape),
  auth: Object.keys(authSchema.shape),
  console: Object.keys(consoleSchema.shape),
};

/** `localhost`, 127.0.0.0/8, ::1 and IPv4-mapped loopback. Any other name counts as not loopback. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare.toLowerCase() === 'localhost') return true;
  if (!isIP(bare)) return false;
  return ipaddr.process(bare).range() === 'loopback';
}

/** Whether the console may write script files: server.console.edit, by default on only on a loopback address. */
export function consoleCanEdit(config: ServerConfig): boolean {
  return config.console.enabled && (config.console.edit ?? isLoopbackHost(config.host));
}

/** Reads positions of `server.*` keys from the YAML file, for messages that point at a line. */
function locator(file: string | undefined): (path: KeyPath) => Position | undefined {
  if (!file) return () => undefined;
  try {
    const parsed = parseYaml(readFileSync(file, 'utf8'));
    return parsed.ok ? parsed.locate : () => undefined;
  } catch {
    return () => undefined;
  }
}

/**
 * Validates `server:` (already merged with overrides, secrets resolved) and the
 * rule that an unauthenticated API listens on loopback only.
 * `file` is the scriptcode.yaml named in errors.
 */
export function parseServerConfig(raw: unknown, file: string): ServerConfig {
  const result = serverConfigSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!result.success) {
    const locate = locator(file);
    const issues = zodIssues(result.error.issues, {
      locate: (path) => locate(['server', ...path]),
      allowedKeys: (path) => SECTION_KEYS[path.join('.')],
    }).map((issue) => ({ ...issue, path: issue.path ? `server.${issue.path}` : 'server' }));
    throw new ConfigError(file, issues, 'Hint: correct the server: section of scriptcode.yaml (keys: host, port, auth.tokens, auth.open, bodyLimitBytes, shutdownTimeoutMs, trustProxy, warmIsolates, workers, console.enabled, console.edit).');
  }
  const config = result.data;
  const problem = bindingProblem(config);
  if (problem) {
    const position = locator(file)(['server', 'host']);
    throw new ConfigError(file, [{ ...problem, ...position }], 'Hint: set server.auth.tokens (e.g. tokens: ["${env:SCRIPTCODE_API_TOKEN}"]), or listen on 127.0.0.1, or set server.auth.open: true if a network layer in front of the server does the authentication.');
  }
  return config;
}

function bindingProblem(config: ServerConfig): ConfigIssue | undefined {
  if (config.auth.tokens.length > 0 || config.auth.open || isLoopbackHost(config.host)) return undefined;
  return {
    path: 'server.host',
    message: `refusing to serve the API without authentication on ${config.host}, which is not a loopback address: anyone who can reach it could run every script`,
  };
}
