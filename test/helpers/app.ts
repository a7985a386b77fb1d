// Real application folders on disk for tests, and a runtime over them that
// logs into memory so tests can read every line.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/index.js';
import { createRuntimeLogger } from '../../src/logging/logger.js';

export interface TestApp {
  dir: string;
  write(path: string, content: string): Promise<void>;
  remove(): Promise<void>;
}

export async function makeApp(files: Record<string, string>): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'scriptcode-test-'));
  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  };
  for (const [path, content] of Object.entries(files)) await write(path, content);
  return { dir, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

export class MemoryLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(line);
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
  parsed(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export interface TestRuntime {
  runtime: Runtime;
  app: TestApp;
  log: MemoryLog;
  close(): Promise<void>;
}

/** An application folder plus a runtime over it, logging at trace level into memory. */
export async function startRuntime(files: Record<string, string>, options: Partial<RuntimeOptions> = {}): Promise<TestRuntime> {
  const app = await makeApp(files);
  const log = new MemoryLog();
  const runtime = await createRuntime({
    app: app.dir,
    watch: false,
    logger: createRuntimeLogger({ level: 'trace', destination: log }),
    ...options,
  });
  return {
    runtime,
    app,
    log,
    close: async () => {
      await runtime.close();
      await app.remove();
    },
  };
}

