/**
 * Spatial columns (MySQL GEOMETRY, POINT, …) without PostGIS: never dropped or converted quietly. They
 * travel as WKT text only where the job says which target type holds them.
 */
import { UnmappableTypeError } from '../errors.js';

/** The error for a spatial column that has no `types:` override in the job, naming the choices. */
export function spatialNeedsOverride(table: string, column: string, nativeType: string): UnmappableTypeError {
  return new UnmappableTypeError(
    table,
    column,
    nativeType,
    `a spatial type, which the target cannot hold without PostGIS; to carry its values as WKT text (e.g. POINT(1 2)) ` +
      `give the target type in the job: types: { "${table}.${column}": "text" } (or "LONGTEXT" on MySQL), or exclude the table`,
  );
}
