// Path segments that some server would read as '.' or '..' (SPEC §4.1: the
// final URL can never leave the service's base URL). The WHATWG URL parser
// and plain HTTP servers only resolve '..', '.', '%2e%2e' and the like; the
// servers behind a service often do more before they resolve dot segments:
//
//   form                              who reads it as '..'
//   ..;  ..;jsessionid=1  %2e%2e;x    servlet containers (Tomcat, Jetty, Spring's UrlPathHelper) drop the ';…' path parameter
//   %2e%2e  .%2e  %2E.                any server (percent-decoding, RFC 3986)
//   %252e%252e  %%32%65%%32%65        servers and frameworks that decode twice (IIS double decoding, proxies + apps)
//   %u002e%u002e                      IIS (%uXXXX escapes)
//   %c0%ae%c0%ae  %e0%80%ae           lenient UTF-8 decoders that accept overlong sequences (old IIS, old JVMs)
//   ..%2f  ..%5c  ..%c0%af  ..%255c   nginx, IIS, Tomcat with ALLOW_ENCODED_SLASH: a decoded '/' or '\' splits the segment
//   ..%00  ..%00.html                 C-based servers and file systems end the name at NUL
//   ..%20  ..%09  %20..               IIS/Windows drop trailing spaces; some servers trim whitespace
//   ．．  ‥  ..／  ..＼  ..∕  ..¥      Unicode normalisation (NFKC) and Windows "best fit" conversion to ASCII
//
// Each of these is refused in any combination, the decoding repeated until
// nothing changes (a segment still changing after MAX_DECODE_ROUNDS rounds is
// refused too). Names that merely contain dots (`a..b`, `...`, `.well-known`,
// `file%2etxt`) and path parameters after a real name (`v1;version=2`) pass.

/** Rounds of decoding after which a segment that still changes is refused: no real data is encoded this often. */
export const MAX_DECODE_ROUNDS = 8;

const SEPARATORS = /[/\\]/;
/** characters Windows best-fit conversion maps to a separator that NFKC leaves alone */
const BEST_FIT: Record<string, string> = { '\u2215': '/', '\u2044': '/', '\u00a5': '\\', '\u20a9': '\\' };
const BEST_FIT_CHARS = /[\u2215\u2044\u00a5\u20a9]/g;
const WHITESPACE = /\s/g;
const HEX = /^[0-9A-Fa-f]{2}$/;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

export interface DecodeOptions {
  /** rounds of decoding tried: 0 checks the segment as written */
  rounds: number;
  /** IIS `%uXXXX` */
  iisUnicode: boolean;
  /** overlong UTF-8 (`%c0%ae`) */
  overlong: boolean;
  /** NFKC and Windows best-fit mapping of lookalikes */
  unicode: boolean;
  /** a decoded '/' or '\' splits the segment */
  split: boolean;
  /** ';' starts a path parameter that is dropped */
  semicolon: boolean;
  /** NUL ends the name */
  nul: boolean;
  /** whitespace is ignored */
  whitespace: boolean;
}

const ALL: DecodeOptions = { rounds: MAX_DECODE_ROUNDS, iisUnicode: true, overlong: true, unicode: true, split: true, semicolon: true, nul: true, whitespace: true };

/** One UTF-8 sequence from `bytes` at `i`: [code point or -1, bytes used]. Overlong forms are decoded only when `overlong`. */
function utf8At(bytes: number[], i: number, overlong: boolean): [number, number] {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return [b0, 1];
  const need = b0 >= 0xc0 && b0 < 0xe0 ? 1 : b0 >= 0xe0 && b0 < 0xf0 ? 2 : b0 >= 0xf0 && b0 < 0xf8 ? 3 : -1;
  if (need < 0) return [-1, 1];
  let cp = b0 & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const b = bytes[i + k];
    if (b === undefined || (b & 0xc0) !== 0x80) return [-1, 1];
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
  if (cp < min && !overlong) return [-1, 1];
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [-1, 1];
  return [cp, need + 1];
}

function utf8Text(bytes: number[], overlong: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const [cp, used] = utf8At(bytes, i, overlong);
    out += cp < 0 ? '\ufffd' : String.fromCodePoint(cp);
    i += used;
  }
  return out;
}

/** One round of lenient percent-decoding: invalid escapes stay as written, invalid UTF-8 becomes U+FFFD. */
function decodeRound(text: string, options: DecodeOptions): string {
  if (!text.includes('%')) return text;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += utf8Text(bytes, options.overlong);
    bytes = [];
  };
  for (let i = 0; i < text.length;) {
    if (text[i] === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (HEX.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 3;
        continue;
      }
      const wide = text.slice(i + 2, i + 6);
      if (options.iisUnicode && (text[i + 1] === 'u' || text[i + 1] === 'U') && HEX4.test(wide)) {
        flush();
        out += String.fromCharCode(parseInt(wide, 16));
        i += 6;
        continue;
      }
    }
    flush();
    out += text[i];
    i++;
  }
  flush();
  return out;
}

const ASCII = /^[\u0000-\u007f]*$/;

function mapLookalikes(text: string): string {
  if (ASCII.test(text)) return text;
  return text.normalize('NFKC').replace(BEST_FIT_CHARS, (c) => BEST_FIT[c]!);
}

const isDot = (piece: string) => piece === '.' || piece === '..';

function dotPiece(piece: string, options: DecodeOptions): string | undefined {
  const candidates = [piece];
  let cut = piece.length;
  if (options.semicolon && piece.includes(';')) cut = Math.min(cut, piece.indexOf(';'));
  if (options.nul && piece.includes('\0')) cut = Math.min(cut, piece.indexOf('\0'));
  if (cut < piece.length) candidates.push(piece.slice(0, cut));
  for (const c of candidates) {
    if (isDot(c)) return c;
    if (options.whitespace) {
      const bare = c.replace(WHITESPACE, '');
      if (bare !== c && isDot(bare)) return bare;
    }
  }
  return undefined;
}

/** The texts a segment goes through as it is decoded, the segment as written first. */
function decodings(segment: string, options: DecodeOptions): { texts: string[]; settled: boolean } {
  const texts = [segment];
  let current = segment;
  for (let round = 0; round < options.rounds; round++) {
    let next = decodeRound(current, options);
    if (next !== current) texts.push(next);
    if (options.unicode) {
      const mapped = mapLookalikes(next);
      if (mapped !== next) texts.push(mapped);
      next = mapped;
    }
    if (next === current) return { texts, settled: true };
    current = next;
  }
  return { texts, settled: options.rounds < MAX_DECODE_ROUNDS || decodeRound(current, options) === current };
}

/** '.' or '..' when some decoding of `segment` has such a piece (or the decoding never settles: '..'). */
function scan(segment: string, options: DecodeOptions): string | undefined {
  const { texts, settled } = decodings(segment, options);
  for (const text of texts) {
    const pieces = options.split ? text.split(SEPARATORS) : [text];
    for (const piece of pieces) {
      const dot = dotPiece(piece, options);
      if (dot) return dot;
    }
  }
  return settled ? undefined : '..';
}

/** Fast: a segment without '%' or '.' (after the URL encoding, non-ASCII is always '%'-encoded) cannot become a dot segment. */
const CANNOT_TRAVERSE = /^[^%.]*$/;

const DOT_OR_PERCENT = /[.%]/;

/**
 * Fast: the common encoded value (`Jan%20Kowalski`, `za%C5%BC%C3%B3%C5%82%C4%87`)
 * is valid UTF-8 that decodes to text without '.' or '%', also after NFKC:
 * nothing can make a dot segment of it (a separator or ';' only splits text).
 */
function decodesWithoutDots(segment: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false; // %u, overlong UTF-8, a bare '%': the slow path
  }
  if (DOT_OR_PERCENT.test(decoded)) return false;
  return ASCII.test(decoded) || !DOT_OR_PERCENT.test(decoded.normalize('NFKC'));
}

const REASONS: [keyof DecodeOptions | 'percent' | 'twice', string][] = [
  ['semicolon', "servlet containers (Tomcat, Jetty, Spring) drop the ';…' path parameter"],
  ['percent', 'servers percent-decode it'],
  ['twice', 'it is encoded more than once (%252e) and servers or frameworks that decode twice (IIS, a proxy and then the application) decode it all'],
  ['iisUnicode', 'IIS decodes %uXXXX escapes'],
  ['overlong', 'lenient UTF-8 decoders read overlong sequences (%c0%ae) as ASCII'],
  ['unicode', "Unicode normalisation (NFKC) and Windows best-fit conversion map lookalikes (．, ‥, ／, ＼, ∕, ¥) to '.', '/' and '\\'"],
  ['split', "servers that decode an encoded '/' or '\\' (%2F, %5C: nginx, IIS, Tomcat with ALLOW_ENCODED_SLASH) split the segment there"],
  ['nul', "'%00' ends the name in servers and file systems written in C"],
  ['whitespace', 'IIS and Windows ignore trailing spaces, and some servers trim whitespace'],
];

export interface DotSegment {
  /** what a server would read: '.' or '..' */
  dot: string;
  /** why, for the error message: empty when the segment is literally '.' or '..' */
  reasons: string[];
}

/**
 * Whether a server could read this path segment (as sent, percent-encoded)
 * as '.' or '..'; and if so why: the decoding steps without which it would
 * not be one.
 */
export function dotSegment(segment: string): DotSegment | undefined {
  if (CANNOT_TRAVERSE.test(segment)) return undefined;
  // the common case: dots but nothing decoded (`file.json`, `v1.2;x`)
  if (!segment.includes('%')) {
    const cut = segment.indexOf(';');
    const name = cut === -1 ? segment : segment.slice(0, cut);
    if (!isDot(name)) return undefined;
  } else if (decodesWithoutDots(segment)) {
    return undefined;
  }
  const dot = scan(segment, ALL);
  if (!dot) return undefined;
  if (isDot(segment)) return { dot, reasons: [] };
  const needed = REASONS.filter(([key]) => {
    const without: DecodeOptions = key === 'percent' ? { ...ALL, rounds: 0 } : key === 'twice' ? { ...ALL, rounds: 1 } : { ...ALL, [key]: false };
    return !scan(segment, without);
  });
  // every other reason but a ';' says how the decoding goes on
  const decodingSaid = needed.some(([key]) => key !== 'percent' && key !== 'semicolon');
  const reasons = needed.filter(([key]) => !(key === 'percent' && decodingSaid)).map(([, text]) => text);
  if (reasons.length === 0) reasons.push('servers decode and normalise it in more than one way that ends there');
  return { dot, reasons };
}
