// atob / btoa, as browsers have them (Latin-1 strings).
import { charCodeAt, ErrorCtor, fromCharCode, regexpExec, StringFn, stringIndexOf, stringReplace } from './intrinsics.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function btoa(input: unknown): string {
  const s = StringFn(input);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = charCodeAt(s, i);
    const b = i + 1 < s.length ? charCodeAt(s, i + 1) : NaN;
    const c = i + 2 < s.length ? charCodeAt(s, i + 2) : NaN;
    if (a > 255 || b > 255 || c > 255) {
      throw new ErrorCtor('btoa: the string contains characters outside Latin-1; encode it as UTF-8 first');
    }
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] +
      (b === b ? B64[(n >> 6) & 63] : '=') + (c === c ? B64[n & 63] : '=');
  }
  return out;
}

export function atob(input: unknown): string {
  let s = stringReplace(StringFn(input), /[\t\n\f\r ]/g, '');
  if (s.length % 4 === 0) s = stringReplace(s, /==?$/, '');
  if (s.length % 4 === 1 || regexpExec(/[^A-Za-z0-9+/]/, s) !== null) {
    throw new ErrorCtor('atob: the string is not valid base64');
  }
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < s.length; i++) {
    buffer = (buffer << 6) | stringIndexOf(B64, s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += fromCharCode((buffer >> bits) & 255);
    }
  }
  return out;
}
