// Offline tools (`scriptcode test`, `check`) must work where the secrets are
// not: script authors do not have the production client secret. Every
// `${env:…}` / `${file:…}` reference that cannot be resolved here is replaced
// by a placeholder through the runtime's config overrides — offline nothing is
// ever sent with it. Every other configuration problem still fails.
import { ConfigError } from '../app/errors.js';
import { loadConfig, type ConfigOverrides } from '../app/load-config.js';
import type { AppConfig } from '../app/types.js';
import type { KeyPath } from '../app/yaml-source.js';

export interface OfflineConfig {
  /** the configuration as the offline runtime will see it */
  config: AppConfig;
  /** laid over scriptcode.yaml; undefined when every reference resolved */
  overrides?: ConfigOverrides;
  /** key paths that got a placeholder, e.g. 'services.crm.auth.clientSecret' */
  placeholders: string[];
}

export const PLACEHOLDER_SECRET = 'scriptcode-offline-placeholder';
export const PLACEHOLDER_URL = 'https://placeholder.invalid';

const UNRESOLVED = /^cannot resolve \$\{(env|file):/;

/** Inverse of formatPath: `services.crm.auth`, `a[0]`, `services["my.svc"]`. */
export function parseKeyPath(text: string): KeyPath | undefined {
  const path: (string | number)[] = [];
  const token = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const m = token.exec(text);
    if (!m) return undefined;
    path.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string)));
    at = token.lastIndex;
  }
  return path;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

/**
 * Loads the configuration once to find unresolvable references. Throws the
 * ConfigError when anything else is wrong (or a reference sits in a list,
 * which overrides cannot reach).
 */
export async function offlineConfig(appDir: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<OfflineConfig> {
  try {
    return { config: await loadConfig(appDir, { env }), placeholders: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const overrides: Record<string, unknown> = {};
    const placeholders: string[] = [];
    for (const issue of error.issues) {
      if (!UNRESOLVED.test(issue.message)) continue;
      const path = parseKeyPath(issue.path);
      if (!path || path.length === 0 || path.some((segment) => typeof segment !== 'string')) continue;
      const keys = path as string[];
      setIn(overrides, keys, /url$/i.test(keys[keys.length - 1]!) ? PLACEHOLDER_URL : PLACEHOLDER_SECRET);
      placeholders.push(issue.path);
    }
    if (placeholders.length === 0) throw error;
    // what remains wrong is reported as it is
    const config = await loadConfig(appDir, { env, overrides: overrides as ConfigOverrides });
    return { config, overrides: overrides as ConfigOverrides, placeholders };
  }
}
