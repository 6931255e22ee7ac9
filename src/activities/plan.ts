/**
 * Planning: introspect the source tables, check every column maps to the target, and cut each table
 * into shards by key range.
 */
import type { Column, LossyKind, LossyPolicy, TableSchema } from '../core/column-model.js';
import { isIntegerKind, lossyWritesNull } from '../core/column-model.js';
import { rangesFromBounds, splitIntegerBounds, type KeyTuple } from '../core/key-range.js';
import { tableNames, type MigrateInput, type MigrationPlan, type TablePlan } from '../core/report.js';
import { jobNames, mapTable, type JobNames, type TableMapping } from '../core/table-mapping.js';
import { driftedTargetColumns } from '../core/type-drift.js';
import { loadTransform } from '../transforms/load-transform.js';
import type { Dialect } from '../dialects/dialect.js';
import { printsAlike } from '../dialects/index.js';
import { FerryError, JobSpecError, KeyNotUniqueError, MissingTableError, NoKeyError, UnmappableTypeError } from '../errors.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';

/** Introspects the job's tables on the source and returns their shards. */
export async function planMigration(deps: ActivityDeps, input: MigrateInput): Promise<MigrationPlan> {
  return withFailures('planning', async () => {
    const source = dialectFor(deps, input.source);
    const target = dialectFor(deps, input.target);
    const names = input.tables === '*' ? await source.listTables() : tableNames(input.tables);
    const mappings = input.tables === '*' ? [] : input.tables.filter((t): t is TableMapping => typeof t !== 'string');
    const jn = jobNames(mappings);
    if (names.length === 0) throw new FerryError(`${source.label} has no base tables to migrate`);
    for (const t of Object.keys(input.keys)) {
      if (!names.includes(t)) throw new JobSpecError(`keys.${t}`, `names a table that is not part of the job (tables: ${names.join(', ')})`);
    }
    for (const tc of Object.keys(input.onLossy ?? {})) {
      if (!names.includes(tc.split('.')[0]!)) throw new JobSpecError(`onLossy.${tc}`, `names a table that is not part of the job (tables: ${names.join(', ')})`);
    }
    for (const [tc, type] of Object.entries(input.types ?? {})) {
      if (!names.includes(tc.split('.')[0]!)) throw new JobSpecError(`types.${tc}`, `"${type}" is given for a table that is not part of the job (tables: ${names.join(', ')})`);
    }
    const tables: TablePlan[] = [];
    for (const name of names) tables.push(await planTable(source, target, name, mappings.find((m) => m.name === name), jn, input));
    const warnings = (await source.listRoutines()).map((r) => `${r} is a stored routine and is not carried (recreate it on the target by hand)`);
    return { tables, ...(warnings.length > 0 ? { warnings } : {}) };
  });
}

async function planTable(source: Dialect, target: Dialect, name: string, mapping: TableMapping | undefined, jn: JobNames, input: MigrateInput): Promise<TablePlan> {
  const introspected = await source.introspect(name, input.keys[name]);
  if (introspected.primaryKey.length === 0) throw new NoKeyError(name);
  const mapped = mapTable(introspected, mapping, jn);
  // A transform that cannot be loaded is refused here, before any table is created or row moves.
  if (mapped.transform) await loadTransform(mapped.transform.module, mapped.transform.function);
  const typeOverrides = { ...overridesFor(name, mapped.schema, input.types ?? {}), ...(mapping?.types ?? {}) };
  const typed = Object.keys(typeOverrides).length > 0 ? { ...mapped.schema, typeOverrides } : mapped.schema;
  const ruled = withLossyRules(source, target, name, typed, input.onLossy ?? {});
  // Columns a transform adds are not on the source, so no source SQL can look for lossy values in them.
  const read = (c: Column) => !mapped.transform || mapped.transform.input.some((i) => i.name === c.name);
  const withTypes = { ...typed, columns: ruled.map((c) => (read(c) ? c : withoutLossy(c))) };
  const dropped = target.createWarnings(withTypes, { typeOverrides });
  const schema = dropped.length > 0 ? { ...withTypes, warnings: [...(withTypes.warnings ?? []), ...dropped] } : withTypes;
  // Fail before any data moves if a column cannot be represented on the target (an override stands
  // for the mapping of its column) or an override is not a type the target accepts.
  for (const c of schema.columns) if (typeOverrides[c.name] === undefined) target.nativeType(name, c);
  target.createTableSql(schema, { typeOverrides });
  const key = keyColumns(schema);
  const src = mapped.view ? source.viewing({ [name]: mapped.view }) : source;
  if (mapped.view) await probeView(src, name, schema.columns.filter((c) => !mapped.transform || mapped.transform.input.some((i) => i.name === c.name)), key);
  if (input.keys[name]) {
    // A declared key is only a promise; ranges by a key that repeats would copy rows twice or lose them.
    const dup = await src.findDuplicateKey(name, key);
    if (dup) throw new KeyNotUniqueError(name, schema.primaryKey, dup.value, dup.count);
  }
  const parts = Math.max(1, Math.min(input.parallelism, Math.ceil(schema.estimatedRows / input.chunkRows)));
  const bounds = parts > 1 ? await shardBounds(src, name, key, parts) : [];
  const transform = mapped.transform && {
    ...mapped.transform,
    // Lossy rules checked in SQL apply to the values as read, before the transform.
    input: mapped.transform.input.map((c) => {
      const rule = schema.columns.find((o) => o.name === c.name)?.lossy;
      return rule ? { ...c, lossy: rule } : c;
    }),
  };
  const targetColumns = await targetDrift(source, target, schema, new Set(mapped.unverified.map((u) => u.column)));
  return {
    source: name,
    target: schema.name,
    schema,
    key,
    shards: rangesFromBounds(bounds),
    ...(mapped.view ? { view: mapped.view } : {}),
    ...(transform ? { transform } : {}),
    ...(mapped.unverified.length > 0 ? { unverified: mapped.unverified } : {}),
    ...(targetColumns ? { targetColumns } : {}),
  };
}

/**
 * The existing target table's own columns when, between two databases of one engine, a compared
 * column is declared otherwise than on the source (see core/type-drift.ts); undefined across engines
 * (compared in canonical text anyway), for a target table not created yet (ferry creates it as
 * planned) and for one declared alike.
 */
async function targetDrift(source: Dialect, target: Dialect, schema: TableSchema, unverified: ReadonlySet<string>): Promise<Column[] | undefined> {
  if (!printsAlike(source, target)) return undefined;
  const compared = new Set(schema.columns.map((c) => c.name).filter((n) => !unverified.has(n)));
  let existing: TableSchema;
  try {
    existing = await target.introspect(schema.name);
  } catch (e) {
    if (e instanceof MissingTableError) return undefined;
    if (e instanceof UnmappableTypeError) {
      const planned = schema.columns.find((c) => c.name === e.column);
      if (planned && compared.has(planned.name)) {
        throw new FerryError(
          `target column ${schema.name}.${e.column} has type ${e.type}, which ferry cannot read to compare it with the source's ${planned.nativeType}; ` +
            `declare it as on the source, or leave the column out of the job (exclude: [${e.column}] in the table's mapping)`,
          { cause: e },
        );
      }
      // A column the job does not compare: the target is compared as before, in the planned types.
      return undefined;
    }
    throw e;
  }
  return driftedTargetColumns(schema.columns, existing.columns, compared);
}

/**
 * Reads the first row through the table's view, so a `where` or computed-column SQL the source
 * rejects fails in planning, naming the job setting, rather than in the middle of the copy.
 */
async function probeView(src: Dialect, table: string, columns: Column[], key: Column[]): Promise<void> {
  try {
    const first = await src.chunkEnd(table, key, { lo: null, hi: null }, 1);
    if (first) await src.checksumRange({ table, columns, key, range: { lo: null, hi: first } });
  } catch (e) {
    if (e instanceof FerryError && !e.permanent) throw e;
    const msg = (e as Error).message;
    throw new JobSpecError(`tables.${table}`, `the source cannot read this table's where/computed SQL: ${msg}; the SQL runs on the source, over its column names`);
  }
}

/**
 * Each column with the lossy kinds the source can produce and the target cannot hold, and the job's
 * policy for them (`error` by default). Refuses an onLossy entry for an unknown column, a policy that
 * maps key values (ranges would no longer select the rows they name), and NULL for a NOT NULL column.
 */
function withLossyRules(source: Dialect, target: Dialect, table: string, schema: TableSchema, onLossy: Record<string, LossyPolicy>): Column[] {
  const policies = new Map<string, LossyPolicy>();
  for (const [tc, policy] of Object.entries(onLossy)) {
    const dot = tc.indexOf('.');
    if (tc.slice(0, dot) !== table) continue;
    const column = tc.slice(dot + 1);
    if (!schema.columns.some((c) => c.name === column)) {
      throw new JobSpecError(`onLossy.${tc}`, `table "${table}" has no column "${column}"; its columns are ${schema.columns.map((c) => c.name).join(', ')}`);
    }
    policies.set(column, policy);
  }
  return schema.columns.map((c) => {
    const { lossy: _old, ...col } = c;
    // A type override means the user chose the target type, so the engine's limits are not assumed.
    if (schema.typeOverrides?.[c.name] !== undefined) return col;
    const limit = target.overflowLimit(c, schema);
    const cannot = new Set<LossyKind>([...target.cannotHold(c), ...(limit ? (['overflow'] as const) : [])]);
    const kinds = source.lossyKindsOf(c).filter((k) => cannot.has(k));
    if (kinds.length === 0) return col;
    const policy = policies.get(c.name) ?? 'error';
    const tc = `onLossy.${table}.${c.name}`;
    if (policy !== 'error' && schema.primaryKey.includes(c.name)) throw new JobSpecError(tc, `"${policy}" would change key values; only "error" is allowed for key columns`);
    if (!c.nullable && kinds.some((k) => lossyWritesNull(policy, k))) {
      throw new JobSpecError(tc, `"${policy}" writes NULL but the column is NOT NULL; fix the values in the source${policy === 'null' ? ' or use "replace"' : ''}`);
    }
    return { ...col, lossy: { policy, kinds, ...(limit && kinds.includes('overflow') ? { limit } : {}) } };
  });
}

function withoutLossy(c: Column): Column {
  const { lossy: _dropped, ...rest } = c;
  return rest;
}

/** The job's `types` entries for one table, by column name; unknown columns are refused. */
function overridesFor(table: string, schema: TableSchema, types: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [tc, type] of Object.entries(types)) {
    const dot = tc.indexOf('.');
    if (tc.slice(0, dot) !== table) continue;
    const column = tc.slice(dot + 1);
    if (!schema.columns.some((c) => c.name === column)) {
      throw new JobSpecError(`types.${tc}`, `table "${table}" has no column "${column}"; its columns are ${schema.columns.map((c) => c.name).join(', ')}`);
    }
    out[column] = type;
  }
  return out;
}

function keyColumns(schema: TableSchema): Column[] {
  return schema.primaryKey.map((k) => {
    const col = schema.columns.find((c) => c.name === k);
    if (!col) throw new FerryError(`key column ${schema.name}.${k} is not a column of the table`);
    return col;
  });
}

async function shardBounds(source: Dialect, table: string, key: Column[], parts: number): Promise<KeyTuple[]> {
  const only = key[0];
  if (key.length === 1 && only && isIntegerKind(only.type)) {
    const extent = await source.integerKeyExtent(table, only);
    return extent ? splitIntegerBounds(extent.min, extent.max, parts) : [];
  }
  return source.sampleKeyBounds(table, key, parts);
}
