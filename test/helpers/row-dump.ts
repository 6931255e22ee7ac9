/**
 * An independent row-for-row comparison for end-to-end tests: reads both tables with the raw drivers
 * (text values, no ferry code) and normalises each value by a kind the test declares, so a bug in
 * ferry's own canonical forms cannot hide itself.
 */
import pg from 'pg';
import mysql from 'mysql2/promise';

/** How a test column's values are normalised before comparison. */
export type DumpKind =
  | 'int' | 'decimal' | 'float' | 'bool' | 'text' | 'binary' | 'date' | 'timestamp' | 'json' | 'uuid'
  /** char(n): trailing blanks are padding (PostgreSQL prints them, MySQL strips them). */
  | 'char'
  /** time of day; `timetz` is shifted to UTC first. */
  | 'time' | 'timetz'
  /** bit strings compared as the number they spell (PG '0101', MySQL BIT bytes). */
  | 'bit'
  /** a set: PG `{a,b}` or MySQL `a,b`, members sorted. */
  | 'set'
  /** an array: PG `{1,{2}}` literal or a JSON array, as JSON. */
  | 'array';

/** Columns (name → kind) of a table under test, key first. */
export interface DumpSpec {
  table: string;
  key: string[];
  columns: Record<string, DumpKind>;
}

function sortJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortJson((v as Record<string, unknown>)[k])]));
  return v;
}

// A PostgreSQL array literal of numbers and (quoted) strings as a JS value; independent of ferry's rewriter.
function pgArray(s: string): unknown {
  let i = 0;
  const val = (): unknown => {
    if (s[i] === '{') {
      i++;
      const out: unknown[] = [];
      while (s[i] !== '}') {
        out.push(val());
        if (s[i] === ',') i++;
      }
      i++;
      return out;
    }
    if (s[i] === '"') {
      let str = '';
      i++;
      while (s[i] !== '"') {
        if (s[i] === '\\') i++;
        str += s[i++];
      }
      i++;
      return str;
    }
    const m = /^[^,}]+/.exec(s.slice(i))![0];
    i += m.length;
    return m === 'NULL' ? null : /^-?\d/.test(m) ? Number(m) : m === 't' ? true : m === 'f' ? false : m;
  };
  return val();
}

function norm(kind: DumpKind, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v) && kind === 'binary') return v.toString('hex');
  if (Buffer.isBuffer(v) && kind === 'bit') return BigInt('0x' + (v.toString('hex') || '0')).toString();
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  switch (kind) {
    case 'int':
      return BigInt(s).toString();
    case 'decimal': {
      // money prints with a currency sign and group separators.
      const d = s.replace(/[$,]/g, '');
      return d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d;
    }
    case 'time':
    case 'timetz': {
      const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-]\d\d)?(?::(\d\d))?$/.exec(s);
      if (!m) return s;
      let secs = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
      if (m[5]) secs -= Math.sign(Number(m[5])) * (Math.abs(Number(m[5])) * 3600 + Number(m[6] ?? 0) * 60);
      secs = ((secs % 86400) + 86400) % 86400;
      const p = (n: number) => String(n).padStart(2, '0');
      return `${p(Math.floor(secs / 3600))}:${p(Math.floor(secs / 60) % 60)}:${p(secs % 60)}.${(m[4] ?? '').padEnd(6, '0')}`;
    }
    case 'char':
      return s.replace(/ +$/, '');
    case 'bit':
      return /^[01]+$/.test(s) ? BigInt('0b' + s).toString() : s;
    case 'set':
      return s.replace(/^\{|\}$/g, '').split(',').filter((x) => x !== '').sort().join(',');
    case 'array':
      return JSON.stringify(s.startsWith('{') ? pgArray(s) : JSON.parse(s));
    case 'float':
      return String(Number(s));
    case 'bool':
      return s === 't' || s === 'true' || s === '1' ? '1' : '0';
    case 'binary':
      return s.startsWith('\\x') ? s.slice(2) : s;
    case 'timestamp': {
      const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?/.exec(s);
      return m ? `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0')}` : s;
    }
    case 'json':
      // Big integers would lose digits through JSON.parse on both sides equally; tests keep them small.
      return JSON.stringify(sortJson(JSON.parse(s)));
    case 'uuid':
      return s.toLowerCase();
    default:
      return s;
  }
}

function line(spec: DumpSpec, row: Record<string, unknown>): string {
  return JSON.stringify(Object.entries(spec.columns).map(([c, kind]) => norm(kind, row[c])));
}

/** All rows of a PostgreSQL table, normalised, in key order (byte-wise for text). */
export async function dumpPg(url: string, spec: DumpSpec): Promise<string[]> {
  const c = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v }, options: '-c TimeZone=UTC -c IntervalStyle=iso_8601' });
  await c.connect();
  try {
    const cols = Object.keys(spec.columns).map((n) => `"${n}"`).join(', ');
    const order = spec.key.map((k) => `"${k}"${spec.columns[k] === 'text' ? ' COLLATE "C"' : ''}`).join(', ');
    const r = await c.query(`SELECT ${cols} FROM "${spec.table}" ORDER BY ${order}`);
    return r.rows.map((row: Record<string, unknown>) => line(spec, row));
  } finally {
    await c.end();
  }
}

/** All rows of a MySQL/MariaDB table, normalised, in key order (byte-wise for text). */
export async function dumpMysql(url: string, spec: DumpSpec): Promise<string[]> {
  const c = await mysql.createConnection({
    uri: url,
    timezone: 'Z',
    // Raw bytes for blob-typed columns (text and JSON columns are blobs on the wire too), text otherwise.
    typeCast: (field) => (/BLOB|BIT/.test(field.type) || spec.columns[field.name] === 'binary' ? field.buffer() : field.string()),
  });
  try {
    await c.query(`SET time_zone = '+00:00'`);
    const cols = Object.keys(spec.columns).map((n) => `\`${n}\``).join(', ');
    const order = spec.key.map((k) => (spec.columns[k] === 'text' ? `CAST(\`${k}\` AS BINARY)` : `\`${k}\``)).join(', ');
    const [rows] = await c.query(`SELECT ${cols} FROM \`${spec.table}\` ORDER BY ${order}`);
    return (rows as Record<string, unknown>[]).map((row) => line(spec, row));
  } finally {
    await c.end();
  }
}

/** Dumps a table through the driver its URL names. */
export function dump(url: string, spec: DumpSpec): Promise<string[]> {
  return url.startsWith('postgres') ? dumpPg(url, spec) : dumpMysql(url, spec);
}
