// `scriptcode record`: runs one script against the real services and writes
// what happened as a test case (tests/<name>.test.yaml by default, appended
// when the file exists), so that `scriptcode test` replays it offline.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isSeq, parseDocument, Document } from 'yaml';
import { createRuntime } from '../runtime/runtime.js';
import type { RuntimeLogger } from '../logging/logger.js';
import type { ScriptErrorInfo } from '../sandbox/errors.js';
import { describeError, invoke, type Invocation, type InvokeResult } from './invoke.js';
import { RecordingTransport, type RecordedCall } from './recording-transport.js';
import { TESTS_FOLDER } from './test-runner.js';

export interface RecordOptions extends Invocation {
  app: string;
  /** the case's name (default: 'recorded <date time>') */
  caseName?: string;
  /** the test file, relative to the application folder (default tests/<script>.test.yaml) */
  file?: string;
  /** response headers to leave out besides the built-in sensitive ones */
  redactHeaders?: readonly string[];
  logger: RuntimeLogger;
}

export type RecordResult =
  | { written: true; file: string; caseName: string; calls: number; failed?: ScriptErrorInfo }
  | { written: false; reason: string; /** the request itself was wrong (no such script, bad input) */ usage?: boolean };

type Case = Record<string, unknown>;

function callEntry(call: RecordedCall): Case {
  const entry: Case = { service: call.view.serviceId, method: call.view.method, path: call.view.path };
  const query = Object.fromEntries(Object.entries(call.view.query).map(([name, values]) => [name, values.length === 1 ? values[0] : values]));
  if (Object.keys(query).length) entry.query = query;
  if (call.view.body !== undefined) entry.body = call.view.body;
  if (call.error) {
    entry.error = call.error;
  } else {
    const { status, headers, body, bodyBase64 } = call.response!;
    const response: Case = { status };
    if (Object.keys(headers).length) response.headers = headers;
    if (body !== undefined) response.body = body;
    if (bodyBase64 !== undefined) response.bodyBase64 = bodyBase64;
    entry.response = response;
  }
  return entry;
}

function errorExpectation(error: ScriptErrorInfo): Case {
  return error.code ? { name: error.name, code: error.code } : { name: error.name };
}

function expectations(target: Invocation['target'], result: Exclude<InvokeResult, { type: 'problem' }>): Case {
  if (result.type === 'failure') return { error: errorExpectation(result.error) };
  const a = result.answer;
  switch (target) {
    case 'script':
      return Object.keys((a.formChanges as object | undefined) ?? {}).length ? { output: a.output, formChanges: a.formChanges } : { output: a.output };
    case 'validator':
      return { valid: a.valid, errors: a.errors };
    case 'task': {
      const out: Case = { outcome: a.outcome };
      for (const key of ['variables', 'modelChanges', 'errorCode', 'cause']) if (a[key] !== undefined) out[key] = a[key];
      if (a.error) out.error = errorExpectation(a.error as ScriptErrorInfo);
      return out;
    }
    case 'formatter':
      return { formattedText: a.formattedText, cursorPosition: a.cursorPosition ?? null };
  }
}

function buildCase(name: string, options: RecordOptions, calls: RecordedCall[], result: Exclude<InvokeResult, { type: 'problem' }>): Case {
  const entry: Case = { name, [options.target]: options.script };
  if (options.target === 'task') {
    if (options.variables !== undefined) entry.variables = options.variables;
    if (options.processInstanceId !== undefined) entry.processInstanceId = options.processInstanceId;
  } else {
    if (options.input !== undefined) entry.input = options.input;
    if (options.form !== undefined) entry.form = options.form;
  }
  if (calls.length) entry.calls = calls.map(callEntry);
  entry.expect = expectations(options.target, result);
  return entry;
}

/** Appends the case to the file (keeping its comments), renaming it when the name is taken. */
async function writeCase(path: string, testCase: Case): Promise<string> {
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = undefined;
  }
  const doc = text === undefined ? new Document({ cases: [] }) : parseDocument(text);
  if (doc.errors.length) throw new Error(`${path} is not valid YAML (${doc.errors[0]!.message}); fix it or record into another file with --file`);
  if (text === undefined) doc.commentBefore = ' Offline tests: run them with `scriptcode test` (cases written by `scriptcode record`).';
  if (!isSeq(doc.get('cases'))) {
    if (doc.get('cases') !== undefined) throw new Error(`${path}: 'cases' is not a list; fix the file or record into another file with --file`);
    doc.set('cases', doc.createNode([]));
  }
  const taken = new Set((doc.toJS() as { cases?: { name?: unknown }[] }).cases?.map((c) => c?.name) ?? []);
  let name = testCase.name as string;
  for (let n = 2; taken.has(name); n++) name = `${testCase.name as string} (${n})`;
  doc.addIn(['cases'], doc.createNode({ ...testCase, name }));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, doc.toString({ lineWidth: 0 }));
  return name;
}

/**
 * Failures that say the service was not reached at all (or could not be called
 * from here): recorded, the case would replay this machine's network or
 * environment, not the service, and would not pass offline.
 */
const NOT_REACHED: ReadonlySet<string> = new Set([
  'DNS_FAILURE', 'CONNECTION_REFUSED', 'CONNECT_TIMEOUT', 'TLS_FAILURE', 'PROXY_REFUSED', 'BLOCKED_ADDRESS', 'INSECURE_HTTP',
  'TOKEN_REQUEST_FAILED', 'TOKEN_RESPONSE_INVALID', 'SECRET_UNAVAILABLE',
]);

/** Why nothing may be written, when a service could not be reached. */
function unreached(calls: readonly RecordedCall[], result: Exclude<InvokeResult, { type: 'problem' }>): string | undefined {
  const call = calls.find((c) => c.error !== undefined && NOT_REACHED.has(c.error));
  const advice = 'check the service\'s url and credentials, and this machine\'s network (VPN, proxy), then record again; ' +
    'to test how the script copes with an unreachable service, write that case by hand (calls: - { service: …, error: CONNECTION_REFUSED })';
  if (call) return `service '${call.view.serviceId}' could not be reached (${call.error}, ${call.view.method} ${call.view.path || '/'}); ${advice}`;
  const error = result.type === 'failure' ? result.error : undefined;
  if (error?.code && NOT_REACHED.has(error.code)) return `a service could not be called: ${describeError(error)}; ${advice}`;
  return undefined;
}

export async function record(options: RecordOptions): Promise<RecordResult> {
  const appDir = resolve(options.app);
  const transport = new RecordingTransport({ redactHeaders: options.redactHeaders });
  // the secrets of services the script does not call are not needed
  const runtime = await createRuntime({ app: appDir, watch: false, warmIsolates: 0, transport, logger: options.logger, deferSecrets: true });
  let result: InvokeResult;
  try {
    result = await invoke(runtime, options);
  } finally {
    await runtime.close();
  }
  if (result.type === 'problem') return { written: false, reason: result.message, usage: true };
  if (result.type === 'failure' && (result.error.code === 'COMPILE_ERROR' || result.error.name === 'LimitExceededError')) {
    return { written: false, reason: `the script failed before it could be recorded: ${describeError(result.error)}` };
  }
  const notReached = unreached(transport.calls, result);
  if (notReached) return { written: false, reason: notReached };
  const caseName = options.caseName ?? `recorded ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
  const testCase = transport.redact(buildCase(caseName, options, transport.calls, result));
  const file = options.file ?? join(TESTS_FOLDER, `${options.script}.test.yaml`);
  const path = isAbsolute(file) ? file : join(appDir, file);
  const written = await writeCase(path, testCase);
  return {
    written: true,
    file: relative(appDir, path) || path,
    caseName: written,
    calls: transport.calls.length,
    failed: result.type === 'failure' ? result.error : undefined,
  };
}
