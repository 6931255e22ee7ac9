/**
 * Canonical forms computed in the worker for the kinds engines print differently (json, float), used
 * where the SQL checksums cannot compare values across engines.
 */
import type { NeutralType } from './column-model.js';

/** JSON with object keys sorted and no insignificant whitespace. Numbers keep their source digits. */
export function canonicalJson(text: string): string {
  // Fast path: the native parser is exact for every number a double holds to the digit. Long digit
  // runs or exponents may not survive a double, so those documents take the exact (slower) parser.
  if (!LOSSY_NUMBER.test(text)) return stringifyNative(JSON.parse(text));
  return stringifySorted(parseKeepingNumbers(text));
}

// 16+ digits in a row, or an exponent: a literal a double might not reproduce as written.
const LOSSY_NUMBER = /\d{16}|\d[eE][+-]?\d/;

function stringifyNative(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(stringifyNative).join(',') + ']';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += JSON.stringify(keys[i]) + ':' + stringifyNative(o[keys[i]!]);
  }
  return out + '}';
}

/** A float's canonical text: the shortest round-trip form of the value at its stored width. */
export function canonicalFloat(text: string, bytes: 4 | 8): string {
  const n = Number(text.trim());
  if (Number.isNaN(n)) {
    if (/^-?(inf|infinity)$/i.test(text.trim())) return text.trim().startsWith('-') ? '-Infinity' : 'Infinity';
    return 'NaN';
  }
  const v = bytes === 4 ? Math.fround(n) : n;
  // MySQL/MariaDB store -0 as 0; the two are the same number, so they compare equal.
  if (Object.is(v, -0)) return '0';
  if (bytes === 4) return String(Number(v.toPrecision(9))) === String(v) ? String(v) : shortestFloat32(v);
  return String(v);
}

/** Canonical text of a worker-canonicalised value, or the value unchanged for other kinds. */
export function canonicalValue(type: NeutralType, value: string | null): string | null {
  if (value === null) return null;
  // Arrays travel as JSON (see dialect.ts), so they compare as canonical JSON.
  if (type.kind === 'json' || type.kind === 'array') return canonicalJson(value);
  if (type.kind === 'float') return canonicalFloat(value, type.bytes);
  return value;
}

/**
 * The checksum form (see "Checksum text" in dialects/dialect.ts) of a value read as transfer text, for
 * every kind: what two engines hold for the same value compares equal here and nowhere else. Used by
 * diff to compare rows in the worker; key columns in this form are also the key tuples ranges use.
 */
export function canonicalTransferValue(type: NeutralType, value: string | null): string | null {
  if (value === null) return null;
  switch (type.kind) {
    case 'int':
      return /^[-+]?\d+$/.test(value) ? BigInt(value).toString() : value;
    case 'decimal':
      return canonicalDecimal(value);
    case 'float':
      return canonicalFloat(value, type.bytes);
    case 'bool':
      return /^(1|t|true|y|yes|on)$/i.test(value.trim()) ? '1' : /^(0|f|false|n|no|off)$/i.test(value.trim()) ? '0' : value;
    case 'text':
      // char(n) is blank-padded by PostgreSQL's COPY and trimmed by MySQL and by ::text; compare trimmed.
      return type.fixed ? value.replace(/ +$/, '') : value;
    case 'binary':
      return value.toLowerCase();
    case 'time':
    case 'timestamp':
      return padFraction(value);
    case 'json':
    case 'array':
      return canonicalJson(value);
    case 'uuid':
      return value.toLowerCase();
    default:
      return value;
  }
}

/**
 * Whether two values read as transfer text, each in its own side's type, are the same value: equal
 * checksum forms (see {@link canonicalTransferValue}), or, against a column of another kind (a target
 * whose column is text), the same JSON document or the same plain decimal number ({@link sameAcrossKinds}).
 */
export function sameTransferValue(a: NeutralType, b: NeutralType, x: string | null, y: string | null): boolean {
  if (x === null || y === null) return x === y;
  return canonicalTransferValue(a, x) === canonicalTransferValue(b, y) || sameAcrossKinds(a, b, x, y);
}

/**
 * For values whose checksum forms differ (see {@link sameTransferValue}), between a column of a kind
 * with a canonical form and a text column holding that form's text: true when exactly one of the two
 * types is json or array and both texts parse as the same JSON document, or exactly one is a number
 * (decimal or integer) and both texts are the same plain decimal number (`3.70` in a numeric(12,2)
 * and in a text column: the text side keeps its trailing zero, the checksum form of the number drops it).
 */
export function sameAcrossKinds(a: NeutralType, b: NeutralType, x: string, y: string): boolean {
  if (isJsonKind(a) !== isJsonKind(b)) {
    const u = jsonOrNull(x);
    return u !== null && u === jsonOrNull(y);
  }
  if (isNumberKind(a) !== isNumberKind(b)) return PLAIN_DECIMAL.test(x) && PLAIN_DECIMAL.test(y) && canonicalDecimal(x) === canonicalDecimal(y);
  return false;
}

/** A decimal number as both engines print one: sign, digits, an optional fraction; no exponent. */
const PLAIN_DECIMAL = /^-?\d+(\.\d*)?$/;

function isNumberKind(t: NeutralType): boolean {
  return t.kind === 'decimal' || t.kind === 'int';
}

function isJsonKind(t: NeutralType): boolean {
  return t.kind === 'json' || t.kind === 'array';
}

function jsonOrNull(text: string): string | null {
  try {
    return canonicalJson(text);
  } catch {
    return null;
  }
}

/** Plain decimal text without trailing fractional zeros or a trailing '.'; '-0' is '0'. */
export function canonicalDecimal(value: string): string {
  let v = value.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(v)) return v; // NaN, Infinity: engines print them alike
  if (v.startsWith('+')) v = v.slice(1);
  if (v.includes('.')) v = v.replace(/0+$/, '').replace(/\.$/, '');
  const neg = v.startsWith('-');
  let digits = neg ? v.slice(1) : v;
  if (digits.startsWith('.')) digits = '0' + digits;
  digits = digits.replace(/^0+(?=\d)/, '');
  if (/^0(\.0*)?$/.test(digits)) return '0';
  return neg ? '-' + digits : digits;
}

// `HH:MM:SS` or `… HH:MM:SS.f` → exactly six fractional digits (the first time-like token only).
function padFraction(value: string): string {
  const m = /^(.*\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(.*)$/.exec(value);
  if (!m) return value;
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0')}${m[3]}`;
}

function shortestFloat32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(v);
}

// Parses JSON keeping number literals as their source text, so 64-bit integers and long decimals
// compare exactly instead of being rounded through a double.
const NUM = Symbol('num');
interface JsonNumber {
  [NUM]: string;
}

function parseKeepingNumbers(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        obj[k] = value();
        ws();
        if (text[i] === ',') i++;
        else return i++, obj;
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else return i++, arr;
      }
    }
    if (c === '"') return str();
    const m = /^(true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) throw new SyntaxError(`invalid JSON at offset ${i}`);
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return { [NUM]: normaliseNumber(m[0]) } satisfies JsonNumber;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  return value();
}

function normaliseNumber(lit: string): string {
  // 1.0, 1e0 and 1 are the same JSON number to both engines' JSON types only when finite and exact;
  // keep integers verbatim and normalise other literals through their shortest double form.
  if (/^-?\d+$/.test(lit)) return lit.replace(/^-0$/, '0');
  return String(Number(lit));
}

function stringifySorted(v: unknown): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(stringifySorted).join(',') + ']';
  const o = v as Record<string | symbol, unknown>;
  if (NUM in o) return (o as unknown as JsonNumber)[NUM];
  const keys = Object.keys(o).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + stringifySorted(o[k])).join(',') + '}';
}
