// Credentials a partner sends back never reach the script (SPEC §4.4): every
// credential value the runtime added to a request — the service's static auth
// (basic, bearer, API key, the OAuth2 client secret), the OAuth2 access token
// of the call, and the `${env:}`/`${file:}` values in its static headers and
// default query parameters — is replaced by `*****` in the status text,
// header names and values, the body (raw text, JSON/XML keys and string
// values, binary) and error messages and bodies, before the gateway hands a
// result or an error to the isolate. Traces show the same redacted text.
//
// A secret is matched raw and in the forms a partner's echo turns it into:
// percent-encoded (any hex case, also twice: a URL inside a query), `+` for a
// space, JSON escapes (`\/`, `\uXXXX`, `\"`) and XML character references
// (`&amp;`, `&#47;`, `&#x2F;`). Letters, digits and `-._~` are never encoded by
// any of these, so the longest run of them in a secret (its "core") is what
// the fast path looks for: one Buffer/string `includes` per secret on the
// raw answer, and nothing else is done when no core occurs.
//
// Values shorter than MIN_REDACTED_LENGTH are not redacted: replacing every
// `abc` or `12` in an answer would destroy ordinary data. The gateway warns at
// start-up when an auth credential is that short (it also makes a weak secret).
import type { ResolvedReference } from '../../app/secret-refs.js';
import type { HttpResponse } from '../../http/index.js';
import { MASK } from '../../logging/sensitive.js';
import type { ServiceConfig } from '../../services/types.js';
import type { ScriptResponse } from './parse-response.js';

/** Shorter values are not redacted (see above); the same floor as `scriptcode record`. */
export const MIN_REDACTED_LENGTH = 4;

/** Static headers that are credentials whatever their value's source. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key', 'apikey', 'x-auth-token', 'x-access-token',
]);

const UNRESERVED = /[A-Za-z0-9\-._~]/;
const UNRESERVED_RUNS = /[A-Za-z0-9\-._~]+/g;
const XML_NAMED: Readonly<Record<string, string>> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };
/** charsets in which an ASCII core is not spelled as ASCII bytes: the byte check cannot be trusted */
const WIDE_CHARSET = /charset\s*=\s*"?\s*(?:utf-?16|utf-?32|ucs-?2|ucs-?4)/i;

/** `2f` → `2[fF]`: hex digits in either case. */
function hexPattern(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * One character of a secret and the ways an echo may spell it. `bytes` are its
 * UTF-8 bytes; `wide` adds the JSON and XML escapes (left out for a non-ASCII
 * byte of a binary body, where they would mean another character).
 */
function unitPattern(ch: string, bytes: Iterable<number>, wide: boolean): string {
  if (UNRESERVED.test(ch)) return escapeRegex(ch);
  const forms = [escapeRegex(ch), [...bytes].map((b) => `%(?:25)?${hexPattern(b, 2)}`).join('')];
  if (ch === ' ') forms.push('\\+', '%(?:25)?2[bB]');
  if (wide) {
    let units = '';
    for (let i = 0; i < ch.length; i++) units += `\\\\u${hexPattern(ch.charCodeAt(i), 4)}`;
    forms.push(units);
    if (ch === '/' || ch === '"' || ch === '\\') forms.push(`\\\\${escapeRegex(ch)}`);
    const code = ch.codePointAt(0)!;
    forms.push(`&#0*${code};`, `&#[xX]0*${hexPattern(code, 1)};`);
    if (XML_NAMED[ch]) forms.push(`&${XML_NAMED[ch]};`);
  }
  return `(?:${forms.join('|')})`;
}

/** One secret, compiled once: what the fast path looks for and what the slow path replaces. */
class Secret {
  /** the longest unreserved run; '' when there is none (then every answer takes the slow path) */
  readonly core: string;
  readonly coreBytes: Buffer;
  /** matches the secret in text (a string of characters) */
  readonly text: RegExp;
  /** matches the secret in a binary body read as latin1 (one character per byte) */
  readonly binary: RegExp;

  constructor(readonly value: string) {
    this.core = (value.match(UNRESERVED_RUNS) ?? ['']).reduce((a, b) => (b.length > a.length ? b : a));
    this.coreBytes = Buffer.from(this.core, 'latin1');
    let text = '';
    for (const ch of value) text += unitPattern(ch, Buffer.from(ch, 'utf8'), true);
    this.text = new RegExp(text, 'g');
    const latin1 = Buffer.from(value, 'utf8').toString('latin1');
    if (latin1 === value) {
      this.binary = this.text;
    } else {
      let binary = '';
      for (const ch of latin1) binary += unitPattern(ch, [ch.charCodeAt(0)], ch.charCodeAt(0) < 0x80);
      this.binary = new RegExp(binary, 'g');
    }
  }

  in(text: string): boolean {
    return text.includes(this.core);
  }
}

/** A credential value of the service's configuration, named by its key for warnings (never by value). */
interface Credential {
  key: string;
  value: string;
}

function decodedPassword(encoded: string): string | undefined {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * `${env:}`/`${file:}` values written in `headers:` or `queryParams:` (of a
 * service, of serviceDefaults, of a list entry), by the text they resolved to.
 */
function referencedInStatics(references: readonly ResolvedReference[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const ref of references) {
    const section = ref.path[ref.path.length - 2];
    if (section === 'headers' || section === 'queryParams') out.set(ref.text, [...(out.get(ref.text) ?? []), ...ref.values]);
  }
  return out;
}

/**
 * Every credential value the runtime adds to the service's requests, but the
 * OAuth2 access token (per call). The configuration's `references` say which
 * static header and query parameter values came from `${env:}`/`${file:}`:
 * those values are credentials, like the whole value of a static header named
 * like one (`authorization`, `x-api-key`, …); literal values are data.
 */
export function serviceCredentials(service: ServiceConfig, references: readonly ResolvedReference[]): Credential[] {
  const out: Credential[] = [];
  const auth = service.auth;
  switch (auth.type) {
    case 'basic':
      if ('encodedCredentials' in auth) {
        out.push({ key: 'auth.encodedCredentials', value: auth.encodedCredentials });
        const password = decodedPassword(auth.encodedCredentials);
        if (password !== undefined) out.push({ key: 'auth.encodedCredentials (password)', value: password });
      } else {
        out.push({ key: 'auth.password', value: auth.password });
        out.push({ key: 'auth.password', value: Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64') });
      }
      break;
    case 'bearer':
      out.push({ key: 'auth.token', value: auth.token });
      break;
    case 'apiKey':
      out.push({ key: 'auth.value', value: auth.value });
      break;
    case 'oauth2':
      out.push({ key: 'auth.clientSecret', value: auth.clientSecret });
      break;
    case 'none':
      break;
  }
  const referenced = referencedInStatics(references);
  const fromReferences = (key: string, value: string) => {
    for (const ref of referenced.get(value) ?? []) out.push({ key, value: ref });
  };
  for (const [name, value] of Object.entries(service.headers)) {
    fromReferences(`headers.${name}`, value);
    if (CREDENTIAL_HEADERS.has(name.toLowerCase())) {
      out.push({ key: `headers.${name}`, value }, { key: `headers.${name}`, value: value.replace(/^\S+\s+/, '') });
    }
  }
  for (const [name, value] of Object.entries(service.queryParams)) fromReferences(`queryParams.${name}`, value);
  return out;
}

/**
 * Redacts one set of secrets. A service has one for its static credentials;
 * an OAuth2 call gets one with its access token added (forCall).
 */
export class CredentialRedactor {
  /** the keys of auth credentials too short to be redacted, for a start-up warning */
  readonly tooShort: readonly string[];
  private readonly secrets: readonly Secret[];
  private lastToken?: string;
  private lastCall?: CredentialRedactor;

  private constructor(secrets: readonly Secret[], tooShort: readonly string[] = []) {
    this.secrets = secrets;
    this.tooShort = tooShort;
  }

  static forService(service: ServiceConfig, references: readonly ResolvedReference[]): CredentialRedactor {
    const values = new Set<string>();
    const tooShort = new Set<string>();
    for (const { key, value } of serviceCredentials(service, references)) {
      if (value.length >= MIN_REDACTED_LENGTH) values.add(value);
      else if (value.length > 0 && key.startsWith('auth.')) tooShort.add(key);
    }
    return new CredentialRedactor(longestFirst([...values].map((value) => new Secret(value))), [...tooShort]);
  }

  /** For a given list of secret values (`scriptcode record`, which learns them as it goes); shorter ones are ignored. */
  static of(values: Iterable<string>): CredentialRedactor {
    const long = [...new Set(values)].filter((value) => value.length >= MIN_REDACTED_LENGTH);
    return new CredentialRedactor(longestFirst(long.map((value) => new Secret(value))));
  }

  /** With the call's OAuth2 access token added; the last one stays compiled (a token lives for many calls). */
  forCall(token: string | undefined): CredentialRedactor {
    if (token === undefined || token.length < MIN_REDACTED_LENGTH || this.secrets.some((s) => s.value === token)) return this;
    if (this.lastToken !== token || !this.lastCall) {
      this.lastCall = new CredentialRedactor(longestFirst([...this.secrets, new Secret(token)]));
      this.lastToken = token;
    }
    return this.lastCall;
  }

  /** The fast path: does any secret's core occur in the answer (status text, header names and values, body)? */
  occursIn(response: HttpResponse): boolean {
    const secrets = this.secrets;
    if (secrets.length === 0) return false;
    const type = response.headers['content-type'];
    if (type !== undefined && response.body.length > 0 && WIDE_CHARSET.test(type)) return true;
    for (const secret of secrets) {
      if (response.body.includes(secret.coreBytes) || secret.in(response.statusText)) return true;
      for (const name in response.headers) if (secret.in(name) || secret.in(response.headers[name]!)) return true;
    }
    return false;
  }

  /** `text` with every secret replaced. */
  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret.in(out)) out = out.replace(secret.text, MASK);
    return out;
  }

  /** A binary body with every secret (as UTF-8 bytes) replaced. */
  bytes(body: Buffer): Buffer {
    let hit = false;
    for (const secret of this.secrets) if (body.includes(secret.coreBytes)) hit = true;
    if (!hit) return body;
    let text = body.toString('latin1');
    for (const secret of this.secrets) if (secret.in(text)) text = text.replace(secret.binary, MASK);
    return Buffer.from(text, 'latin1');
  }

  /** A copy of `value` with every string and every key redacted (parsed JSON/XML, headers, an error's fields). */
  value<T>(value: T): T {
    return this.walk(value) as T;
  }

  private occursInValue(value: unknown): boolean {
    if (typeof value === 'string') return this.secrets.some((secret) => secret.in(value));
    if (value === null || typeof value !== 'object') return false;
    if (Array.isArray(value)) return value.some((item) => this.occursInValue(item));
    for (const key in value) if (this.occursInValue(key) || this.occursInValue((value as Record<string, unknown>)[key])) return true;
    return false;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.text(key), this.walk(item)]));
  }

  /** The script's answer to `raw` without any secret; `answer` itself when none occurs (the fast path). */
  response(raw: HttpResponse, answer: ScriptResponse): ScriptResponse {
    if (!this.occursIn(raw)) return answer;
    const body = answer.bodyEncoding === 'base64' ? this.bytes(raw.body).toString('base64') : this.value(answer.body);
    return {
      ...answer,
      status: { code: answer.status.code, message: this.text(answer.status.message) },
      headers: this.value(answer.headers),
      body,
    };
  }

  /** Redacts an error's script-visible fields in place (message, body, headers, status text, …). */
  error<E extends Error & { info?: Record<string, unknown> }>(error: E): E {
    if (this.secrets.length === 0) return error;
    if (error.info) {
      if (!this.occursInValue(error.info)) return error;
      for (const key of Object.keys(error.info)) error.info[key] = this.walk(error.info[key]);
      if (typeof error.info.message === 'string') error.message = error.info.message;
    } else {
      error.message = this.text(error.message);
    }
    return error;
  }
}

/** Longest first: a secret that contains another is replaced whole. */
function longestFirst(secrets: Secret[]): Secret[] {
  return secrets.sort((a, b) => b.value.length - a.value.length);
}
