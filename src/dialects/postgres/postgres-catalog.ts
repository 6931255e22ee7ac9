/**
 * What information_schema does not say about a PostgreSQL table: enum labels, array elements, set
 * checks, identity/serial columns, comments, and the objects ferry cannot carry (for plan warnings).
 */
import type pg from 'pg';
import { parseCheck } from '../../core/check-parse.js';
import type { CheckDef } from '../../core/column-model.js';

/** Per-column facts from pg_catalog, merged into the information_schema row by introspection. */
export interface PgColumnExtra {
  typtype: string | null;
  enum_labels: string[] | null;
  elem_udt: string | null;
  elem_typtype: string | null;
  elem_labels: string[] | null;
  format: string | null;
  /** Domain name when the column's type is a domain (mapped to its base type). */
  domain: string | null;
  /** Identity column or a serial (default `nextval(…)` of a sequence the column owns). */
  identity: boolean;
  default_expr: string | null;
  comment: string | null;
}

/** Column extras by column name. */
export async function columnExtras(pool: pg.Pool, oid: number): Promise<Map<string, PgColumnExtra>> {
  const r = await pool.query<PgColumnExtra & { name: string }>(
    `SELECT a.attname AS name, bt.typtype,
            (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = bt.oid) AS enum_labels,
            et.typname::text AS elem_udt, et.typtype AS elem_typtype,
            (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = et.oid) AS elem_labels,
            format_type(a.atttypid, a.atttypmod) AS format,
            CASE WHEN t.typtype = 'd' THEN t.typname::text END AS domain,
            (a.attidentity IN ('a', 'd') OR coalesce(pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) IS NOT NULL, false)) AS identity,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr,
            col_description(a.attrelid, a.attnum) AS comment
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_type t ON t.oid = a.atttypid
     JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
     LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
    [oid],
  );
  return new Map(r.rows.map(({ name, ...x }) => [name, x]));
}

/**
 * Labels of single-column checks `col <@ ARRAY['a'::text, …]` on text[] columns: how ferry stores a
 * MySQL SET, read back as a set so a round trip returns a SET.
 */
export async function setChecks(pool: pg.Pool, oid: number): Promise<Map<string, string[]>> {
  const r = await pool.query<{ col: string; def: string }>(
    `SELECT a.attname AS col, pg_get_constraintdef(con.oid) AS def FROM pg_constraint con
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
     WHERE con.conrelid = $1 AND con.contype = 'c' AND array_length(con.conkey, 1) = 1`,
    [oid],
  );
  const out = new Map<string, string[]>();
  for (const { col, def } of r.rows) {
    const m = /<@ ARRAY\[(.*)\]\)*$/.exec(def);
    if (!m) continue;
    const labels = [...m[1]!.matchAll(/'((?:[^']|'')*)'::text/g)].map((x) => x[1]!.replace(/''/g, "'"));
    if (labels.length > 0) out.set(col, labels);
  }
  return out;
}

/** The table's comment and what ferry does not carry, named: triggers, views reading it, complex indexes. */
export async function tableExtras(pool: pg.Pool, oid: number, table: string): Promise<{ comment: string | null; warnings: string[] }> {
  const comment = await pool.query<{ c: string | null }>(`SELECT obj_description($1::oid, 'pg_class') AS c`, [oid]);
  const objects = await pool.query<{ what: string; name: string }>(
    `SELECT 'trigger' AS what, tgname::text AS name FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal
     UNION ALL
     SELECT DISTINCT 'view', v.relname::text FROM pg_depend dep JOIN pg_rewrite rw ON rw.oid = dep.objid
       JOIN pg_class v ON v.oid = rw.ev_class WHERE dep.refobjid = $1 AND v.oid <> $1 AND v.relkind IN ('v', 'm')
     UNION ALL
     SELECT CASE WHEN ix.indpred IS NOT NULL THEN 'partial index' ELSE 'expression index' END, i.relname::text
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid WHERE ix.indrelid = $1 AND (ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL)
     ORDER BY 1, 2`,
    [oid],
  );
  const warnings = objects.rows.map((o) => `${o.what} ${o.name} on table ${table} is not carried (recreate it on the target by hand)`);
  return { comment: comment.rows[0]?.c ?? null, warnings };
}

/** Functions and procedures of the schema (not those an extension installed), as `function name`. */
export async function listPgRoutines(pool: pg.Pool, schema: string): Promise<string[]> {
  const r = await pool.query<{ kind: string; name: string }>(
    `SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END AS kind,
            p.proname::text AS name
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = $1
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     ORDER BY 2, 1`,
    [schema],
  );
  return [...new Set(r.rows.map((x) => `${x.kind} ${x.name}`))];
}

/**
 * The table's check constraints other than ferry's own set checks (see {@link setChecks}): the
 * portable ones as CheckDefs, the others named as warnings.
 */
export async function pgTableChecks(pool: pg.Pool, oid: number, table: string, columns: ReadonlySet<string>): Promise<{ checks: CheckDef[]; warnings: string[] }> {
  const r = await pool.query<{ name: string; def: string }>(
    `SELECT conname::text AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1 AND contype = 'c' ORDER BY 1`,
    [oid],
  );
  const checks: CheckDef[] = [];
  const warnings: string[] = [];
  for (const { name, def } of r.rows) {
    if (/<@ ARRAY\[.*\]\)*$/.test(def)) continue;
    const expr = parseCheck(def, columns);
    if (expr) checks.push({ name, expr });
    else warnings.push(`check constraint ${name} on table ${table} (${def}) is not portable and is not carried (recreate it on the target by hand)`);
  }
  return { checks, warnings };
}
