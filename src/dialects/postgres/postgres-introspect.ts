/**
 * Reads a PostgreSQL table's shape from the catalogs into the neutral TableSchema.
 */
import type pg from 'pg';
import type { Column, ForeignKeyDef, IndexDef, TableSchema } from '../../core/column-model.js';
import { FerryError, MissingTableError } from '../../errors.js';
import { neutralFromPg, type PgColumnInfo } from './postgres-types.js';
import { columnExtras, pgTableChecks, setChecks, tableExtras } from './postgres-catalog.js';
import { pgDefault } from './postgres-defaults.js';

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

interface IndexRow {
  name: string;
  primary: boolean;
  unique: boolean;
  complex: boolean;
  columns: string[];
}

/** Base tables of a schema, sorted. */
export async function listPgTables(pool: pg.Pool, schema: string): Promise<string[]> {
  const r = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
    [schema],
  );
  return r.rows.map((row) => row.name);
}

/** Introspects one table; `declaredKey` replaces the detected key. */
export async function introspectPg(pool: pg.Pool, schema: string, table: string, where: string, declaredKey?: string[]): Promise<TableSchema> {
  const rel = await pool.query<{ oid: number; reltuples: number }>(
    `SELECT c.oid, c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  const relRow = rel.rows[0];
  if (!relRow) throw new MissingTableError(table, where);

  const cols = await pool.query<PgColumnInfo>(
    `SELECT column_name, udt_name, data_type, is_nullable, character_maximum_length, numeric_precision,
            numeric_scale, datetime_precision
     FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  const extras = await columnExtras(pool, relRow.oid);
  const sets = await setChecks(pool, relRow.oid);
  const warnings: string[] = [];
  const columns: Column[] = cols.rows.map((c) => {
    const x = extras.get(c.column_name);
    const type = neutralFromPg(table, { ...c, ...x, set_values: sets.get(c.column_name) ?? null });
    const col: Column = { name: c.column_name, type, nullable: c.is_nullable === 'YES', nativeType: x?.format ?? c.udt_name };
    if (x?.domain) warnings.push(`column ${table}.${c.column_name} has domain ${x.domain}; created as its base type ${x.format ?? c.udt_name} (the domain's checks are not carried)`);
    if (x?.identity && type.kind === 'int') col.identity = true;
    else if (x?.default_expr) {
      const d = pgDefault(x.default_expr, type);
      if (d) col.default = d;
      else warnings.push(`column ${table}.${c.column_name} has default ${x.default_expr}, which is not carried`);
    }
    if (x?.comment) col.comment = x.comment;
    return col;
  });
  const more = await tableExtras(pool, relRow.oid, table);
  warnings.push(...more.warnings);
  const checked = await pgTableChecks(pool, relRow.oid, table, new Set(columns.map((c) => c.name)));
  warnings.push(...checked.warnings);

  const idx = await pool.query<IndexRow>(
    `SELECT i.relname AS name, ix.indisprimary AS primary, ix.indisunique AS unique,
            (ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL) AS complex,
            array(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
     FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid WHERE ix.indrelid = $1 ORDER BY i.relname`,
    [relRow.oid],
  );
  const pk = idx.rows.find((i) => i.primary);
  const notNull = new Set(columns.filter((c) => !c.nullable).map((c) => c.name));
  const uniqueKey = idx.rows.find((i) => i.unique && !i.complex && i.columns.every((c) => notNull.has(c)));

  let primaryKey = pk?.columns ?? uniqueKey?.columns ?? [];
  if (declaredKey) {
    const names = new Set(columns.map((c) => c.name));
    const unknown = declaredKey.filter((c) => !names.has(c));
    if (unknown.length > 0) {
      throw new FerryError(`key for table "${table}" names column(s) ${unknown.join(', ')}, which do not exist; columns are ${[...names].join(', ')}`);
    }
    primaryKey = declaredKey;
  }

  const indexes: IndexDef[] = idx.rows
    .filter((i) => !i.primary && !i.complex)
    .map((i) => ({ name: i.name, columns: i.columns, unique: i.unique }));

  const fks = await pool.query<{ name: string; ref_table: string; columns: string[]; ref_columns: string[]; del: string; upd: string }>(
    `SELECT con.conname AS name, rel.relname AS ref_table,
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o) AS columns,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o) AS ref_columns,
            con.confdeltype AS del, con.confupdtype AS upd
     FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.confrelid
     WHERE con.conrelid = $1 AND con.contype = 'f' ORDER BY con.conname`,
    [relRow.oid],
  );
  const foreignKeys: ForeignKeyDef[] = fks.rows.map((f) => ({
    name: f.name,
    columns: f.columns,
    refTable: f.ref_table,
    refColumns: f.ref_columns,
    onDelete: FK_ACTIONS[f.del] ?? 'NO ACTION',
    onUpdate: FK_ACTIONS[f.upd] ?? 'NO ACTION',
  }));

  let estimatedRows = Math.max(0, Math.round(relRow.reltuples));
  if (relRow.reltuples < 0) {
    // Never analysed: statistics say nothing, so count (cheap for the small tables this happens to).
    const n = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(schema, table)}`);
    estimatedRows = Number(n.rows[0]?.n ?? 0);
  }

  return {
    name: table,
    columns,
    primaryKey,
    hasPrimaryKey: !!pk && !declaredKey,
    indexes,
    foreignKeys,
    estimatedRows,
    ...(more.comment ? { comment: more.comment } : {}),
    ...(checked.checks.length > 0 ? { checks: checked.checks } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** Which text columns of a table sort byte-wise without an explicit COLLATE "C". */
export async function byteOrderedColumns(pool: pg.Pool, schema: string, table: string): Promise<Set<string>> {
  const r = await pool.query<{ column_name: string; coll: string | null }>(
    `SELECT column_name, coalesce(collation_name, (SELECT datcollate FROM pg_database WHERE datname = current_database())) AS coll
     FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
    [schema, table],
  );
  return new Set(r.rows.filter((c) => c.coll !== null && /^(C|POSIX|C\.utf-?8)$/i.test(c.coll)).map((c) => c.column_name));
}

/** `"schema"."table"`. */
export function qualified(schema: string, table: string): string {
  return `"${schema.replace(/"/g, '""')}"."${table.replace(/"/g, '""')}"`;
}
