// Builders for the services tests: AppConfig objects written directly, and the ConfigError they fail with.
import { expect } from 'vitest';
import { ConfigError } from '../../src/app/errors.js';
import type { AppConfig } from '../../src/app/types.js';
import { resolveServices, type ResolveServicesOptions } from '../../src/services/index.js';

export function appConfig(parts: Partial<AppConfig> = {}): AppConfig {
  return {
    services: {},
    limits: {},
    logging: { level: 'info', sensitive: 'mask', maxLinesPerInvocation: 500 },
    cache: { ttlMs: 2000, watch: true },
    pool: { maxIsolates: 16, maxQueue: 1000, asyncInvocationsPerIsolate: 64, spareIsolates: 2, idleSeconds: 60 },
    ...parts,
  };
}

/** Resolves `services` (plus other parts) and returns the services by id. */
export function resolve(services: Record<string, unknown>, parts: Partial<AppConfig> = {}, options?: ResolveServicesOptions) {
  return resolveServices(appConfig({ services, ...parts }), options);
}

/** The ConfigError resolving fails with (fails the test when it does not). */
export function resolveError(services: Record<string, unknown>, parts: Partial<AppConfig> = {}, options?: ResolveServicesOptions): ConfigError {
  let error: unknown;
  try {
    resolveServices(appConfig({ services, ...parts }), options);
  } catch (caught) {
    error = caught;
  }
  expect(error, 'expected resolveServices to throw').toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

/** Messages of the issues at exactly `path`. */
export function messagesAt(error: ConfigError, path: string): string[] {
  return error.issues.filter((issue) => issue.path === path).map((issue) => issue.message);
}

export function paths(error: ConfigError): string[] {
  return error.issues.map((issue) => issue.path);
}

export const b64 = (text: string) => Buffer.from(text).toString('base64');

export const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
export const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n';
