// The schema of ONE service as written in scriptcode.yaml (SPEC §4.4), and of
// `serviceDefaults:`. Every key is optional here except a service's `url`:
// defaults are applied after parsing (resolve-services.ts), so a parsed
// service holds only what was written for it.
//
// Validation runs after `${env:…}`/`${file:…}` references are resolved, so a
// number or boolean may arrive as text from the environment; such text is
// converted. Messages name keys and expectations, NEVER the value: any value
// here may be a resolved secret.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { KeyPath } from '../app/yaml-source.js';
import { bool, fromText, positiveInt } from '../app/schema-helpers.js';


/** CR, LF and NUL split or truncate HTTP header lines. */
export const HEADER_BREAKING = /[\r\n\0]/;
/** RFC 9110 token: what a header name may consist of. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Hop-by-hop and framing headers: set by the HTTP client, never by configuration. */
export const FORBIDDEN_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-connection',
];

/** Methods `retry.methods` may name (upper-cased on output). */
export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST', 'PATCH'] as const;

export const AUTH_TYPES = ['none', 'basic', 'bearer', 'apiKey', 'oauth2'] as const;

const text = () => z.string().min(1);
/** A value that ends up in an HTTP header line. */
const headerText = () =>
  z
    .string()
    .min(1)
    .refine((value) => !HEADER_BREAKING.test(value), { message: 'must not contain line breaks (CR, LF) or NUL characters' });

const noneAuth = z.strictObject({ type: z.literal('none') });

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Is `value` the base64 of `user:password`, as basic auth expects? */
export function isEncodedUserPassword(value: string): boolean {
  return BASE64.test(value) && Buffer.from(value, 'base64').toString('latin1').includes(':');
}

const basicAuth = z
  .strictObject({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1)
      .refine((value) => !value.includes(':'), { message: 'must not contain a colon (":"), which separates user name and password in basic auth' })
      .refine((value) => !HEADER_BREAKING.test(value), { message: 'must not contain line breaks (CR, LF) or NUL characters' })
      .optional(),
    // an empty password is legal in basic auth
    password: z
      .string()
      .refine((value) => !HEADER_BREAKING.test(value), { message: 'must not contain line breaks (CR, LF) or NUL characters' })
      .optional(),
    encodedCredentials: z
      .string()
      .min(1)
      // sent as given, as the reference platform does (its documentation's own
      // example is not base64 of user:password): resolveServices warns about that
      .refine((value) => !HEADER_BREAKING.test(value), { message: 'must not contain line breaks (CR, LF) or NUL characters' })
      .refine((value) => !/^basic\s/i.test(value), { message: "must be given without the 'Basic ' prefix (the runtime adds it)" })
      .optional(),
  })
  .superRefine((auth, ctx) => {
    const pair = auth.username !== undefined || auth.password !== undefined;
    const encoded = auth.encodedCredentials !== undefined;
    if (pair && encoded) {
      ctx.addIssue({
        code: 'custom',
        path: ['encodedCredentials'],
        message: 'give either username + password or encodedCredentials, not both',
      });
    } else if (!pair && !encoded) {
      ctx.addIssue({ code: 'custom', path: [], message: 'basic auth needs username + password, or encodedCredentials' });
    } else if (pair) {
      if (auth.username === undefined) ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required when password is given' });
      if (auth.password === undefined) ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required when username is given' });
    }
  });

const bearerAuth = z.strictObject({
  type: z.literal('bearer'),
  token: headerText().refine((value) => !/^bearer\s/i.test(value), { message: "must be the token alone, without the 'Bearer ' prefix" }),
});

const apiKeyAuth = z
  .strictObject({
    type: z.literal('apiKey'),
    in: z.enum(['header', 'query']),
    name: text(),
    value: headerText(),
  })
  .superRefine((auth, ctx) => {
    if (auth.in !== 'header') return;
    if (!HEADER_NAME.test(auth.name)) ctx.addIssue({ code: 'custom', path: ['name'], message: 'is not a valid HTTP header name' });
    else if (FORBIDDEN_HEADERS.includes(auth.name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `'${auth.name}' is a hop-by-hop or framing header and cannot carry an API key` });
    }
  });

const oauth2Auth = z.strictObject({
  type: z.literal('oauth2'),
  // checked like a service URL (http(s), no userinfo, http only with allowInsecureHttp) in resolve-services.ts
  tokenUrl: text(),
  clientId: text(),
  clientSecret: text(),
  scope: text().optional(),
  audience: text().optional(),
  clientAuth: z.enum(['basic', 'post']).optional(),
});

export const authSchema = z.discriminatedUnion('type', [noneAuth, basicAuth, bearerAuth, apiKeyAuth, oauth2Auth]);

/** Allowed keys of each auth type, for "unknown key" messages. */
export const AUTH_KEYS: Readonly<Record<(typeof AUTH_TYPES)[number], readonly string[]>> = {
  none: Object.keys(noneAuth.shape),
  basic: Object.keys(basicAuth.shape),
  bearer: Object.keys(bearerAuth.shape),
  apiKey: Object.keys(apiKeyAuth.shape),
  oauth2: Object.keys(oauth2Auth.shape),
};

const timeoutsSchema = z.strictObject({
  connectTimeout: positiveInt().optional(),
  readTimeout: positiveInt().optional(),
});

const retrySchema = z.strictObject({
  attempts: positiveInt().optional(),
  methods: z
    .array(
      z
        .string()
        .transform((method) => method.toUpperCase())
        .refine((method) => (HTTP_METHODS as readonly string[]).includes(method), { message: `must be one of: ${HTTP_METHODS.join(', ')}` }),
    )
    .optional(),
});

const PEM = /-----BEGIN [A-Z0-9 ]+-----/;
const pem = (what: string) =>
  z.string().refine((value) => PEM.test(value), {
    message: `must be PEM text (${what} starting with '-----BEGIN'); to read it from a file write \${file:/path/to/file.pem}`,
  });
const BASE64_TEXT = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

const tlsSchema = z.strictObject({
  ca: pem('one or more CA certificates').optional(),
  cert: pem('the client certificate').optional(),
  key: pem('the private key').optional(),
  passphrase: z.string().optional(),
  pfx: z
    .string()
    .refine((value) => BASE64_TEXT.test(value), { message: 'must be the PKCS#12 bundle as base64 text' })
    .optional(),
  minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).optional(),
});

/** `10.0.0.0/8`, `fd00::/8`; a bare address is refused (give it a /32 or /128). */
export function isValidCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

const networkSchema = z.strictObject({
  allowPrivate: bool().optional(),
  allowCidrs: z
    .array(
      z.string().refine(isValidCidr, {
        message: 'is not a valid CIDR range such as 10.0.0.0/8 or fd00::/8 (a single address needs /32 for IPv4 or /128 for IPv6)',
      }),
    )
    .optional(),
});

const circuitBreakerSchema = z.strictObject({
  failureThreshold: positiveInt().optional(),
  resetAfterMs: positiveInt().optional(),
});

const headersSchema = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid HTTP header name (letters, digits and !#$%&\'*+-.^_`|~ only)' });
      continue;
    }
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.includes(lower)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'is a hop-by-hop or framing header, which the HTTP client sets itself; remove it' });
    }
    const earlier = seen.get(lower);
    if (earlier !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: `repeats header '${earlier}' (header names are case-insensitive)` });
    }
    seen.set(lower, name);
    if (HEADER_BREAKING.test(value)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'value must not contain line breaks (CR, LF) or NUL characters' });
    }
  }
});

const queryParamsSchema = z.record(z.string(), z.string()).superRefine((params, ctx) => {
  for (const [name, value] of Object.entries(params)) {
    if (name.length === 0 || /[\0-\x1f\x7f]/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid query parameter name' });
    if (/[\0\r\n]/.test(value)) ctx.addIssue({ code: 'custom', path: [name], message: 'value must not contain line breaks (CR, LF) or NUL characters' });
  }
});

const proxySchema = z.string().refine(
  (value) => {
    if (value === 'env') return true;
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: "must be 'env' (use HTTPS_PROXY / NO_PROXY) or an http:// or https:// proxy URL" },
);

/**
 * `healthPath`: what `scriptcode services check` and POST /api/services/{id}/check
 * GET to see the service answer: from the host's root when it starts with
 * '/', else relative to the service url. A path (and query), never a URL.
 */
const healthPathSchema = z
  .string()
  .min(1)
  .refine((value) => !/[\s\0-\x1f\x7f#]/.test(value), { message: 'must not contain spaces, control characters or a fragment (#…)' })
  .refine((value) => !/^[A-Za-z][A-Za-z0-9+.-]*:|^\/\//.test(value), { message: "must be a path such as /health or status, not a URL: it is resolved against the service's url" });

/** Every setting except `url`: the shape of `serviceDefaults:`. */
const settingsShape = {
  auth: authSchema.optional(),
  timeouts: timeoutsSchema.optional(),
  retry: retrySchema.optional(),
  tls: tlsSchema.optional(),
  allowInsecureHttp: bool().optional(),
  network: networkSchema.optional(),
  followRedirects: bool().optional(),
  circuitBreaker: circuitBreakerSchema.optional(),
  maxConcurrent: positiveInt().optional(),
  rateLimit: z.strictObject({
    requests: positiveInt(),
    perSeconds: z.preprocess(fromText, z.number().positive().max(86_400)),
  }).optional(),
  cache: z.strictObject({
    ttlSeconds: z.preprocess(fromText, z.number().positive().max(86_400 * 365)),
    maxEntries: positiveInt().optional(),
    maxEntryBytes: positiveInt().optional(),
  }).optional(),
  maxResponseBytes: positiveInt().optional(),
  headers: headersSchema.optional(),
  queryParams: queryParamsSchema.optional(),
  proxy: proxySchema.optional(),
  healthPath: healthPathSchema.optional(),
};

/**
 * `serviceDefaults:`. A default `url` is refused (resolve-services.ts says so
 * with its own message): a URL shared by every service is never what is meant.
 */
export const serviceDefaultsSchema = z.strictObject(settingsShape);

/** One entry of `services:` (or a converted `scriptservice.api` entry). */
export const serviceSchema = z.strictObject({ url: text(), ...settingsShape });

export type ParsedServiceSettings = z.output<typeof serviceDefaultsSchema>;
export type ParsedService = z.output<typeof serviceSchema>;

export const SERVICE_KEYS: readonly string[] = Object.keys(serviceSchema.shape);

const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  timeouts: Object.keys(timeoutsSchema.shape),
  retry: Object.keys(retrySchema.shape),
  tls: Object.keys(tlsSchema.shape),
  network: Object.keys(networkSchema.shape),
  circuitBreaker: Object.keys(circuitBreakerSchema.shape),
};

/**
 * Allowed keys of the strict mapping at `path` inside one service (relative
 * to the service), for "unknown key" messages. `raw` is the service as
 * written, so the keys of its auth type can be named.
 */
export function allowedServiceKeys(path: KeyPath, raw: unknown, topLevel: readonly string[] = SERVICE_KEYS): readonly string[] | undefined {
  if (path.length === 0) return topLevel;
  if (path.length !== 1) return undefined;
  const key = String(path[0]);
  if (key === 'auth') {
    const type = (raw as { auth?: { type?: unknown } } | undefined)?.auth?.type;
    return typeof type === 'string' && Object.hasOwn(AUTH_KEYS, type) ? AUTH_KEYS[type as keyof typeof AUTH_KEYS] : undefined;
  }
  return NESTED_KEYS[key];
}
