/**
 * NDJSON for chunk files: one JSON object per row and line, keyed by column name, each value its
 * transfer form as a string (binary `\x` + hex) or null. JSON escapes line breaks inside strings, so
 * a line is always a whole row. Pure, so it is unit-tested alone.
 */

/** One row as an NDJSON line, including its LF. */
export function encodeNdjsonRow(names: readonly string[], values: readonly (string | null)[]): string {
  const row: Record<string, string | null> = {};
  for (let i = 0; i < names.length; i++) row[names[i]!] = values[i] ?? null;
  return JSON.stringify(row) + '\n';
}

/** Thrown by {@link decodeNdjsonRow} for a line that is not a row of the expected columns. */
export class NdjsonRowError extends Error {}

/** The values of one NDJSON line in `names` order; refuses other keys, missing keys and non-string values. */
export function decodeNdjsonRow(names: readonly string[], line: string): (string | null)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    throw new NdjsonRowError(`not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new NdjsonRowError('not a JSON object');
  const row = parsed as Record<string, unknown>;
  const keys = Object.keys(row);
  if (keys.length !== names.length) throw new NdjsonRowError(`has ${keys.length} keys, expected the ${names.length} columns ${names.join(', ')}`);
  return names.map((name) => {
    if (!Object.prototype.hasOwnProperty.call(row, name)) throw new NdjsonRowError(`has no key "${name}"`);
    const v = row[name];
    if (v !== null && typeof v !== 'string') throw new NdjsonRowError(`"${name}" is ${typeof v}, expected a string or null`);
    return v;
  });
}
