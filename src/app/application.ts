// An application folder (SPEC §2): its configuration, the scripts it holds and
// an in-memory cache of their sources. Changes are picked up two ways: a
// file watcher drops entries at once, and a TTL re-checks mtime/size because
// watch events do not arrive on network file systems. The watcher also reports
// changes of scriptcode.yaml (onConfigChange); reading and applying the new
// configuration is the runtime's decision (src/runtime/runtime.ts).
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { BindingDefinition } from '../bindings/binding.js';
import { ApplicationNotFoundError, ConfigError } from './errors.js';
import { CONFIG_FILE, loadConfig, type ConfigOverrides } from './load-config.js';
import { loadScriptMetadata } from './metadata.js';
import { KIND_FOLDERS, SCRIPT_KINDS, type AppConfig, type ScriptKind, type ScriptSource } from './types.js';

/** A script's name is its file name without the extension. Also what keeps `get` inside the application folder. */
import { discoverScripts, isScriptName, SCRIPT_NAME, type ScriptLanguage } from './discovery.js';

export { SCRIPT_NAME };

export interface ScriptEntry {
  kind: ScriptKind;
  name: string;
  /** e.g. 'scripts/greeting.js' */
  relativePath: string;
}

export interface ScriptChange {
  kind: ScriptKind;
  name: string;
}

export interface ApplicationLoadOptions {
  /** watch the kind folders (default: `cache.watch` of the configuration) */
  watch?: boolean;
  /** laid over scriptcode.yaml, key by key (for embedding) */
  configOverrides?: ConfigOverrides;
  /** variables for `${env:…}` references (default: process.env) */
  env?: Readonly<Record<string, string | undefined>>;
  /** non-fatal problems: no scriptcode.yaml, a watcher error, a failing change listener */
  onWarning?: (message: string) => void;
  /** unresolvable secrets of services fail the first call that needs them, not the load (LoadConfigOptions.deferSecrets) */
  deferSecrets?: boolean;
  /** the bindings whose sections and call budgets scriptcode.yaml and metadata may have (default: the built-in ones) */
  bindings?: readonly BindingDefinition[];
  /** scriptcode.yaml as the caller already read it (with the same overrides, env and bindings): not read again now */
  loadedConfig?: AppConfig;
}

type Language = ScriptLanguage;
type Found = { path: string; language: Language; stats: Stats };
type CacheEntry = { signature: string; checkedAt: number; source?: ScriptSource; error?: unknown };

const KIND_BY_FOLDER = new Map(SCRIPT_KINDS.map((kind) => [KIND_FOLDERS[kind], kind]));
const WATCHED_FILE = /^(.+)\.(js|ts|yaml)$/;

function isKind(kind: unknown): kind is ScriptKind {
  return typeof kind === 'string' && Object.hasOwn(KIND_FOLDERS, kind);
}

export class Application {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly loading = new Map<string, Promise<ScriptSource | undefined>>();
  /** bumped when an entry is dropped, so a read that started before the drop is not cached */
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  private readonly listeners = new Set<(change: ScriptChange) => void>();
  private readonly configListeners = new Set<() => void>();
  private watcher: FSWatcher | undefined;
  private closed = false;

  private constructor(
    readonly dir: string,
    private currentConfig: AppConfig,
    private readonly onWarning: (message: string) => void,
    private readonly loadOptions: Pick<ApplicationLoadOptions, 'configOverrides' | 'env' | 'deferSecrets' | 'bindings'>,
  ) {}

  /** The configuration in force (replaced by applyConfig when scriptcode.yaml is reloaded). */
  get config(): AppConfig {
    return this.currentConfig;
  }

  static async load(dir: string, options: ApplicationLoadOptions = {}): Promise<Application> {
    const absolute = resolve(dir);
    const stats = await stat(absolute).catch(() => undefined);
    if (!stats) throw new ApplicationNotFoundError(absolute, 'does not exist');
    if (!stats.isDirectory()) throw new ApplicationNotFoundError(absolute, 'is not a folder');
    const { configOverrides, env, deferSecrets, bindings } = options;
    const config = options.loadedConfig ?? await loadConfig(absolute, { overrides: configOverrides, env, onWarning: options.onWarning, deferSecrets, bindings });
    const app = new Application(absolute, config, options.onWarning ?? (() => {}), { configOverrides, env, deferSecrets, bindings });
    if (options.watch ?? config.cache.watch) await app.startWatching();
    return app;
  }

  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /**
   * Scripts directly in the kind folders (not in subfolders), by kind order and
   * then by name. When `<name>.js` and `<name>.ts` both exist the `.js` wins:
   * it is what a build step would have produced from the `.ts`.
   */
  list(kind?: ScriptKind): ScriptEntry[] {
    const kinds = kind === undefined ? SCRIPT_KINDS : isKind(kind) ? [kind] : [];
    return discoverScripts(this.dir, kinds).scripts.map(({ kind: k, name, relativePath }) => ({ kind: k, name, relativePath }));
  }

  /**
   * The current source and metadata of a script, or undefined when there is no
   * such script. Rejects with ScriptMetadataError when its metadata file is broken.
   */
  async get(kind: ScriptKind, name: string): Promise<ScriptSource | undefined> {
    if (!isKind(kind) || typeof name !== 'string' || !isScriptName(name, 'js')) return undefined;
    const key = `${kind}/${name}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.checkedAt < this.config.cache.ttlMs) return unwrap(cached);
    const pending = this.loading.get(key);
    if (pending) return pending;
    const load = this.refresh(kind, name, key, cached).finally(() => {
      if (this.loading.get(key) === load) this.loading.delete(key);
    });
    this.loading.set(key, load);
    return load;
  }

  /** Drops every cached script; the next `get` reads the files again. */
  invalidate(): void {
    this.epoch++;
    this.cache.clear();
    this.loading.clear();
  }

  /**
   * Reads scriptcode.yaml again, with the overrides and environment the
   * application was loaded with, without applying it. Rejects with the
   * loader's ConfigError (every problem, with its line); a file that is gone
   * is an error too, never a silent fall-back to the defaults.
   */
  async readConfig(): Promise<AppConfig> {
    const file = join(this.dir, CONFIG_FILE);
    if (!(await fileStats(file))) {
      throw new ConfigError(file, [{ path: '', message: 'the file is missing (removed or renamed?); the running configuration stays in force until it is back' }]);
    }
    const { configOverrides, env, deferSecrets, bindings } = this.loadOptions;
    return loadConfig(this.dir, { overrides: configOverrides, env, onWarning: this.onWarning, deferSecrets, bindings });
  }

  /** Makes `config` the configuration in force (cache.ttlMs applies from the next `get`). */
  applyConfig(config: AppConfig): void {
    this.currentConfig = config;
  }

  /** Called when scriptcode.yaml is seen to change (watching only); returns the unsubscribe function. */
  onConfigChange(listener: () => void): () => void {
    this.configListeners.add(listener);
    return () => this.configListeners.delete(listener);
  }

  /** Called when a script or its metadata file is seen to change; returns the unsubscribe function. */
  onChange(listener: (change: ScriptChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the watcher. `get` keeps working afterwards, reading the files without caching them. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.configListeners.clear();
    this.invalidate();
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }

  private async refresh(kind: ScriptKind, name: string, key: string, cached: CacheEntry | undefined): Promise<ScriptSource | undefined> {
    const generation = this.generationOf(key);
    const folder = join(this.dir, KIND_FOLDERS[kind]);
    const base = join(folder, name);
    // defence in depth: SCRIPT_NAME already rules out separators and '..'
    if (dirname(base) !== folder) return undefined;
    const [js, ts, yaml] = await Promise.all([fileStats(`${base}.js`), name.endsWith('.d') ? undefined : fileStats(`${base}.ts`), fileStats(`${base}.yaml`)]);
    const script: Found | undefined = js ? { path: `${base}.js`, language: 'js', stats: js } : ts ? { path: `${base}.ts`, language: 'ts', stats: ts } : undefined;
    const current = this.generationOf(key) === generation;
    if (!script) {
      if (current) this.drop(key, cached !== undefined ? { kind, name } : undefined);
      return undefined;
    }
    const signature = `${script.path}|${statSignature(script.stats)}|${yaml ? statSignature(yaml) : '-'}`;
    if (cached && cached.signature === signature) {
      if (current) cached.checkedAt = Date.now();
      return unwrap(cached);
    }
    // the stats were taken before reading: a write during the read leaves a newer mtime, so the next check reads again
    const entry = await this.read(kind, name, script, signature);
    if (!entry) return undefined;
    if (this.generationOf(key) === generation && !this.closed) {
      this.cache.set(key, entry);
      if (cached) this.emit({ kind, name });
    }
    return unwrap(entry);
  }

  private async read(kind: ScriptKind, name: string, script: Found, signature: string): Promise<CacheEntry | undefined> {
    const folder = KIND_FOLDERS[kind];
    let source: string;
    try {
      source = await readFile(script.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed since the stat
      throw error;
    }
    if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
    if (script.language === 'ts') {
      // loaded on first use: TypeScript is ~135 MB of RSS and ~1.3 s of start-up that JavaScript-only applications never need
      const { stripTypes } = await import('../tools/strip-types.js');
      source = stripTypes(source, `${folder}/${name}.ts`).code;
    }
    const checkedAt = Date.now();
    try {
      const metadata = await loadScriptMetadata({
        file: join(this.dir, folder, `${name}.yaml`),
        relativePath: `${folder}/${name}.yaml`,
        kind,
        name,
        bindings: this.loadOptions.bindings,
      });
      const hash = createHash('sha256').update(source).digest('hex');
      const relativePath = `${folder}/${name}.${script.language}`;
      return { signature, checkedAt, source: { kind, name, path: script.path, relativePath, source, hash, metadata, language: script.language } };
    } catch (error) {
      // cached like a success, so a broken metadata file is not re-parsed on every call
      return { signature, checkedAt, error };
    }
  }

  private generationOf(key: string): string {
    return `${this.epoch}:${this.generations.get(key) ?? 0}`;
  }

  private drop(key: string, change?: ScriptChange): void {
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.cache.delete(key);
    this.loading.delete(key);
    if (change) this.emit(change);
  }

  private emit(change: ScriptChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        this.onWarning(`a script change listener failed for ${change.kind} '${change.name}': ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  private emitConfigChange(): void {
    for (const listener of [...this.configListeners]) {
      try {
        listener();
      } catch (error) {
        this.onWarning(`a configuration change listener failed: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  private async startWatching(): Promise<void> {
    const watcher = watch(this.dir, {
      ignoreInitial: true,
      depth: 1,
      // only the kind folders and the files that make up scripts; never node_modules and the like
      ignored: (path) => !this.isWatched(path),
    });
    watcher.on('all', (event, path) => this.onFileEvent(event, path));
    watcher.on('error', (error) => this.onWarning(`file watcher error in ${this.dir}: ${(error as Error)?.message ?? String(error)}; changes are still picked up after cache.ttlMs`));
    this.watcher = watcher;
    await new Promise<void>((ready) => watcher.once('ready', ready));
  }

  private isWatched(path: string): boolean {
    const parts = relative(this.dir, path).split(sep);
    if (parts.length === 1 && (parts[0] === '' || parts[0] === CONFIG_FILE)) return true;
    if (!KIND_BY_FOLDER.has(parts[0]!)) return false;
    return parts.length === 1 || (parts.length === 2 && WATCHED_FILE.test(parts[1]!));
  }

  private onFileEvent(event: string, path: string): void {
    if (this.closed) return;
    const parts = relative(this.dir, path).split(sep);
    if (parts.length === 1 && parts[0] === CONFIG_FILE) {
      if (event === 'add' || event === 'change' || event === 'unlink') this.emitConfigChange();
      return;
    }
    const kind = KIND_BY_FOLDER.get(parts[0]!);
    if (!kind) return;
    if (parts.length === 1) {
      // the whole kind folder went away (or came back): forget all of its scripts
      if (event !== 'unlinkDir' && event !== 'addDir') return;
      for (const key of [...this.cache.keys()].filter((k) => k.startsWith(`${kind}/`))) this.drop(key, { kind, name: key.slice(kind.length + 1) });
      return;
    }
    const match = WATCHED_FILE.exec(basename(path));
    if (parts.length !== 2 || !match || !SCRIPT_NAME.test(match[1]!)) return;
    this.drop(`${kind}/${match[1]}`, { kind, name: match[1]! });
  }
}

function unwrap(entry: CacheEntry): ScriptSource {
  if (entry.error !== undefined) throw entry.error;
  return entry.source!;
}

/** `types.d.ts` is a declaration file, not a script. */
async function fileStats(path: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

// ino catches atomic replace-by-rename; ctime catches a same-size rewrite within the mtime granularity of some file systems
function statSignature(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}
