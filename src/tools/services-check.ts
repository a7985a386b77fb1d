// `scriptcode services check [id]`: the connection check of src/http/connection-check.ts
// for the services of an application folder, without starting a runtime (no
// isolates): scriptcode.yaml is loaded and its services resolved exactly as
// the runtime does, then each one is checked (all at once, reported in the
// order they are declared).
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationNotFoundError } from '../app/errors.js';
import { CONFIG_FILE, loadConfig } from '../app/load-config.js';
import { checkServiceConnection, type CheckStep, type ConnectionCheckOptions, type ServiceCheckResult } from '../http/connection-check.js';
import { resolveServices } from '../services/resolve-services.js';
import { ScriptCodeError } from '../errors.js';

/** The id names no service of the application. */
export class UnknownServiceError extends ScriptCodeError {
  override readonly name = 'UnknownServiceError';
  constructor(message: string) {
    super('UNKNOWN_SERVICE', message);
  }
}

export interface ServicesCheckOptions extends ConnectionCheckOptions {
  app: string;
  /** one service; default every service */
  id?: string;
  /** non-fatal configuration warnings */
  onWarning?: (message: string) => void;
}

export async function checkServices(options: ServicesCheckOptions): Promise<ServiceCheckResult[]> {
  const dir = resolve(options.app);
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new ApplicationNotFoundError(dir, 'does not exist');
  if (!info.isDirectory()) throw new ApplicationNotFoundError(dir, 'is not a folder');
  const config = await loadConfig(dir, { onWarning: options.onWarning });
  const services = resolveServices(config, { onWarning: options.onWarning, file: join(dir, CONFIG_FILE) });
  let chosen = [...services.values()];
  if (options.id !== undefined) {
    const service = services.get(options.id);
    if (!service) {
      const known = [...services.keys()];
      throw new UnknownServiceError(`there is no service '${options.id}' in ${join(dir, CONFIG_FILE)}; ` +
        (known.length > 0 ? `services: ${known.join(', ')}` : 'no services are declared (services:)'));
    }
    chosen = [service];
  }
  return Promise.all(chosen.map((service) => checkServiceConnection(service, { lookup: options.lookup })));
}

export interface Painter {
  green(text: string): string;
  red(text: string): string;
  dim(text: string): string;
}

const plain: Painter = { green: (t) => t, red: (t) => t, dim: (t) => t };

function stepLine(step: CheckStep, paint: Painter): string[] {
  const status = step.status === 'ok' ? paint.green('ok     ') : step.status === 'failed' ? paint.red('failed ') : paint.dim('skipped');
  const time = step.status === 'skipped' ? '         ' : `${step.durationMs.toFixed(1).padStart(6)} ms`;
  const text = step.error ? `${step.error.code}: ${step.error.message}` : (step.detail ?? '');
  const lines = [`  ${step.step.padEnd(7)}${status} ${time}  ${text}`];
  if (step.error && step.detail) lines.push(`${' '.repeat(28)}${step.detail}`);
  const c = step.certificate;
  if (c) {
    const verdict = c.verified ? 'verified' : `NOT verified${c.verifyError ? ` (${c.verifyError})` : ''}`;
    lines.push(`${' '.repeat(28)}certificate: ${c.subject || '(no subject)'}, issued by ${c.issuer || '(unknown)'}, valid ${c.validFrom} to ${c.validTo}; ${verdict}`);
  }
  return lines;
}

/** A report for people: one block per service, one line per step, then a summary line. */
export function renderServiceChecks(results: readonly ServiceCheckResult[], paint: Painter = plain): string {
  const out: string[] = [];
  for (const result of results) {
    out.push(`${result.ok ? paint.green('ok') : paint.red('FAILED')}  ${result.service}  ${result.url}${result.proxy ? ` (through ${result.proxy})` : ''}`);
    for (const step of result.steps) out.push(...stepLine(step, paint));
  }
  const failed = results.filter((r) => !r.ok).length;
  const n = results.length;
  out.push(n === 0
    ? 'no services are declared in scriptcode.yaml'
    : `${n} service${n === 1 ? '' : 's'} checked: ${n - failed} ok, ${failed} failed`);
  return `${out.join('\n')}\n`;
}
