/**
 * Planning: introspect the source tables, check every column maps to the target, and cut each table
 * into shards by key range.
 */
import type { Column, LossyKind, LossyPolicy, TableSchema } from '../core/column-model.js';
import { isIntegerKind, lossyWritesNull } from '../core/column-model.js';
import { rangesFromBounds, splitIntegerBounds, type KeyTuple } from '../core/key-range.js';
import type { MigrateInput, MigrationPlan, TablePlan } from '../core/report.js';
import type { Dialect } from '../dialects/dialect.js';
import { FerryError, JobSpecError, KeyNotUniqueError, NoKeyError } from '../errors.js';
import type { ActivityDeps } from './deps.js';
import { dialectFor } from './deps.js';
import { withFailures } from './failures.js';

/** Introspects the job's tables on the source and returns their shards. */
export async function planMigration(deps: ActivityDeps, input: MigrateInput): Promise<MigrationPlan> {
  return withFailures('planning', async () => {
    const source = dialectFor(deps, input.source);
    const target = dialectFor(deps, input.target);
    const names = input.tables === '*' ? await source.listTables() : input.tables;
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
    for (const name of names) tables.push(await planTable(source, target, name, input));
    const warnings = (await source.listRoutines()).map((r) => `${r} is a stored routine and is not carried (recreate it on the target by hand)`);
    return { tables, ...(warnings.length > 0 ? { warnings } : {}) };
  });
}

async function planTable(source: Dialect, target: Dialect, name: string, input: MigrateInput): Promise<TablePlan> {
  const introspected = await source.introspect(name, input.keys[name]);
  if (introspected.primaryKey.length === 0) throw new NoKeyError(name);
  const typeOverrides = overridesFor(introspected, input.types ?? {});
  const typed = Object.keys(typeOverrides).length > 0 ? { ...introspected, typeOverrides } : introspected;
  const withTypes = { ...typed, columns: withLossyRules(source, target, typed, input.onLossy ?? {}) };
  const dropped = target.createWarnings(withTypes, { typeOverrides });
  const schema = dropped.length > 0 ? { ...withTypes, warnings: [...(withTypes.warnings ?? []), ...dropped] } : withTypes;
  // Fail before any data moves if a column cannot be represented on the target (an override stands
  // for the mapping of its column) or an override is not a type the target accepts.
  for (const c of schema.columns) if (typeOverrides[c.name] === undefined) target.nativeType(name, c);
  target.createTableSql(schema, { typeOverrides });
  const key = keyColumns(schema);
  if (input.keys[name]) {
    // A declared key is only a promise; ranges by a key that repeats would copy rows twice or lose them.
    const dup = await source.findDuplicateKey(name, key);
    if (dup) throw new KeyNotUniqueError(name, schema.primaryKey, dup.value, dup.count);
  }
  const parts = Math.max(1, Math.min(input.parallelism, Math.ceil(schema.estimatedRows / input.chunkRows)));
  const bounds = parts > 1 ? await shardBounds(source, name, key, parts) : [];
  return { source: name, target: name, schema, key, shards: rangesFromBounds(bounds) };
}

/**
 * Each column with the lossy kinds the source can produce and the target cannot hold, and the job's
 * policy for them (`error` by default). Refuses an onLossy entry for an unknown column, a policy that
 * maps key values (ranges would no longer select the rows they name), and NULL for a NOT NULL column.
 */
function withLossyRules(source: Dialect, target: Dialect, schema: TableSchema, onLossy: Record<string, LossyPolicy>): Column[] {
  const policies = new Map<string, LossyPolicy>();
  for (const [tc, policy] of Object.entries(onLossy)) {
    const dot = tc.indexOf('.');
    if (tc.slice(0, dot) !== schema.name) continue;
    const column = tc.slice(dot + 1);
    if (!schema.columns.some((c) => c.name === column)) {
      throw new JobSpecError(`onLossy.${tc}`, `table "${schema.name}" has no column "${column}"; its columns are ${schema.columns.map((c) => c.name).join(', ')}`);
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
    const tc = `onLossy.${schema.name}.${c.name}`;
    if (policy !== 'error' && schema.primaryKey.includes(c.name)) throw new JobSpecError(tc, `"${policy}" would change key values; only "error" is allowed for key columns`);
    if (!c.nullable && kinds.some((k) => lossyWritesNull(policy, k))) {
      throw new JobSpecError(tc, `"${policy}" writes NULL but the column is NOT NULL; fix the values in the source${policy === 'null' ? ' or use "replace"' : ''}`);
    }
    return { ...col, lossy: { policy, kinds, ...(limit && kinds.includes('overflow') ? { limit } : {}) } };
  });
}

/** The job's `types` entries for one table, by column name; unknown columns are refused. */
function overridesFor(schema: TableSchema, types: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [tc, type] of Object.entries(types)) {
    const dot = tc.indexOf('.');
    if (tc.slice(0, dot) !== schema.name) continue;
    const column = tc.slice(dot + 1);
    if (!schema.columns.some((c) => c.name === column)) {
      throw new JobSpecError(`types.${tc}`, `table "${schema.name}" has no column "${column}"; its columns are ${schema.columns.map((c) => c.name).join(', ')}`);
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
