/**
 * Incremental sync arithmetic: which column kinds can be a watermark, and the lower bound of the next
 * window (the last high-water mark minus the overlap that catches late commits). Pure and
 * deterministic, so workflows call it directly.
 */
import type { NeutralType } from './column-model.js';

/** Kinds a watermark column may have: values that only grow as rows change. */
export const WATERMARK_KINDS = ['int', 'decimal', 'timestamp', 'date'] as const;

/** Default overlap: late commits up to 5 minutes behind the high-water mark are still caught. */
export const DEFAULT_OVERLAP = '5m';

const UNIT_MICROS: Record<string, bigint> = { us: 1n, ms: 1000n, s: 1_000_000n, m: 60_000_000n, h: 3_600_000_000n, d: 86_400_000_000n };
const DURATION = /^(\d+)(us|ms|s|m|h|d)$/;
const NUMBER = /^\d+(\.\d+)?$/;

/** True when `overlap` is a duration (`90s`, `5m`, `2h`, `1d`) or a plain non-negative number. */
export function isOverlapSpec(overlap: string): boolean {
  return DURATION.test(overlap) || NUMBER.test(overlap);
}

/** Why a column cannot be a watermark, or null when it can. */
export function watermarkProblem(table: string, column: string, type: NeutralType | undefined): string | null {
  if (!type) return `table ${table} has no column "${column}" to use as the watermark; name another with --watermark`;
  if (!(WATERMARK_KINDS as readonly string[]).includes(type.kind)) {
    return `column ${table}.${column} is ${type.kind}; a watermark must be an integer, decimal, date or timestamp that grows as rows change`;
  }
  return null;
}

/**
 * The exclusive lower bound of the next window: `hwm` minus `overlap`. Durations apply to timestamps
 * and dates (a date watermark always reaches back at least one day, since rows changed later on the
 * high-water day carry the same date); numbers apply to integer and decimal watermarks. Values are in
 * checksum form (timestamps `YYYY-MM-DD HH:MM:SS.ffffff`).
 */
export function windowStart(type: NeutralType, hwm: string, overlap: string): string {
  const duration = DURATION.exec(overlap);
  switch (type.kind) {
    case 'timestamp': {
      const micros = duration ? BigInt(duration[1]!) * UNIT_MICROS[duration[2]!]! : overlap === '0' ? 0n : bad(type, overlap);
      return formatTimestamp(parseTimestamp(hwm) - micros);
    }
    case 'date': {
      const micros = duration ? BigInt(duration[1]!) * UNIT_MICROS[duration[2]!]! : overlap === '0' ? 0n : bad(type, overlap);
      const day = UNIT_MICROS['d']!;
      const days = micros <= day ? 1n : (micros + day - 1n) / day;
      return formatTimestamp(parseTimestamp(hwm) - days * day).slice(0, 10);
    }
    case 'int':
      if (!NUMBER.test(overlap) || overlap.includes('.')) return bad(type, overlap);
      return (BigInt(hwm) - BigInt(overlap)).toString();
    case 'decimal':
      if (!NUMBER.test(overlap)) return bad(type, overlap);
      return subtractDecimal(hwm, overlap);
    default:
      throw new Error(`a ${type.kind} column cannot be a watermark`);
  }
}

function bad(type: NeutralType, overlap: string): never {
  const want = type.kind === 'int' ? 'a whole number' : type.kind === 'decimal' ? 'a number' : 'a duration such as 5m, 90s, 2h or 1d';
  throw new Error(`overlap "${overlap}" does not suit a ${type.kind} watermark; give ${want}`);
}

/** Microseconds since the Unix epoch of `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` read as UTC. */
export function parseTimestamp(text: string): bigint {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?/.exec(text);
  if (!m) throw new Error(`"${text}" is not a timestamp`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  // Date.UTC maps years 0–99 to 1900–1999; such watermarks do not occur, and the error would only
  // widen the window.
  return BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'));
}

/** Formats microseconds since the epoch as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC). */
export function formatTimestamp(micros: bigint): string {
  let ms = micros / 1000n;
  let us = micros % 1000n;
  if (us < 0n) {
    us += 1000n;
    ms -= 1n;
  }
  const d = new Date(Number(ms));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}${p(Number(us), 3)}`
  );
}

function subtractDecimal(a: string, b: string): string {
  const scale = Math.max(fraction(a).length, fraction(b).length);
  const scaled = (x: string) => {
    const neg = x.startsWith('-');
    const [i, f = ''] = x.replace(/^-/, '').split('.');
    const v = BigInt((i || '0') + f.padEnd(scale, '0'));
    return neg ? -v : v;
  };
  const r = scaled(a) - scaled(b);
  const neg = r < 0n;
  const digits = (neg ? -r : r).toString().padStart(scale + 1, '0');
  const out = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return (neg ? '-' : '') + out;
}

function fraction(x: string): string {
  return x.split('.')[1] ?? '';
}
