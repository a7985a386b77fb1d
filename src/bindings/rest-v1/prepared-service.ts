// What every call to one service needs and no call changes: worked out once
// per service when the gateway starts, so that a call only does the work that
// depends on what the script asked for.
import type { SharedState } from '../../http/shared-state.js';
import type { ResolvedReference } from '../../app/secret-refs.js';
import { authQueryNames } from '../../http/auth/static-auth.js';
import { ACCEPT_ENCODING } from '../../http/decode-content.js';
import { ServiceGuards } from '../../http/service-guards.js';
import type { RuntimeObserver } from '../../runtime/observer.js';
import type { ServiceConfig } from '../../services/types.js';
import { buildUrl, parseServiceUrl, templateBase, urlTemplate, type ServiceUrlBase } from './build-url.js';
import { authHeaderNames, buildHeaders, serviceHeaders } from './headers.js';
import { CredentialRedactor } from './redact-credentials.js';
import type { SendOptions } from './request-options.js';

export class PreparedService {
  /** circuit breaker and bulkhead: state shared by the service's calls */
  readonly guards: ServiceGuards;
  /** keeps the service's credentials out of what it sends back */
  readonly redactor: CredentialRedactor;
  /** query names the auth sets (scripts may not) */
  private readonly reservedQuery: readonly string[];
  /** header names the auth sets (scripts may not) */
  private readonly reservedHeaders: readonly string[];
  /** accept-encoding, then the service's static headers */
  private readonly fixedHeaders: Readonly<Record<string, string>>;
  /** undefined when the service URL has placeholders: each call parses it then */
  private readonly urlBase: ServiceUrlBase | undefined;
  private readonly templateBase: string;

  /** `references`: the configuration's `${env:}`/`${file:}` references (see CredentialRedactor) */
  constructor(
    readonly service: ServiceConfig,
    observer: RuntimeObserver | undefined,
    references: readonly ResolvedReference[] = [],
    /** the application's Redis, when configured: the guards that are shared across processes use it */
    readonly state?: SharedState,
  ) {
    this.guards = new ServiceGuards(service, observer, state);
    this.redactor = CredentialRedactor.forService(service, references);
    this.reservedQuery = authQueryNames(service.auth);
    this.reservedHeaders = authHeaderNames(service);
    this.fixedHeaders = { 'accept-encoding': ACCEPT_ENCODING, ...serviceHeaders(service) };
    this.urlBase = parseServiceUrl(service);
    this.templateBase = templateBase(service);
  }

  url(options: SendOptions): URL {
    return buildUrl(this.service, options, this.reservedQuery, this.urlBase);
  }

  /** A fresh object the caller may add to. */
  headers(options: SendOptions): Record<string, string> {
    return buildHeaders(this.service, options.headers, this.fixedHeaders, this.reservedHeaders);
  }

  /** The URL as logs and errors show it (placeholders unfilled, no query). */
  urlTemplate(path: string | undefined): string {
    return urlTemplate(this.service, path, this.templateBase);
  }
}
