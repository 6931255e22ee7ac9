import { describe, expect, it } from 'vitest';
import { jsonToPgArray, setToPgArray } from '../../src/dialects/postgres/postgres-arrays.js';
import { pgDefault } from '../../src/dialects/postgres/postgres-defaults.js';
import { parseLabels } from '../../src/dialects/mysql/mysql-enum-set.js';
import { ddlType, DEFAULT_SERVER } from '../../src/dialects/mysql/mysql-types.js';
import { pgTypeFor } from '../../src/dialects/postgres/postgres-types.js';
import type { NeutralType } from '../../src/core/column-model.js';

const col = (type: NeutralType) => ({ name: 'c', type, nullable: true, nativeType: 'x' });

describe('type mapping helpers', () => {
  it('rewrites JSON arrays into PostgreSQL array literals', () => {
    expect(jsonToPgArray('[]')).toBe('{}');
    expect(jsonToPgArray('[[1, 2], [3, 4]]')).toBe('{{1,2},{3,4}}');
    expect(jsonToPgArray('["a,b", "q\\"t", null, "\\\\", 12345678901234567890.5]')).toBe('{"a,b","q\\"t",NULL,"\\\\",12345678901234567890.5}');
    expect(jsonToPgArray('[{"a": [1, "]"]}, true]')).toBe('{"{\\"a\\": [1, \\"]\\"]}",true}');
    expect(setToPgArray('')).toBe('{}');
    expect(setToPgArray('x,y z')).toBe('{"x","y z"}');
  });

  it('reads MySQL ENUM/SET labels with quotes and backslashes', () => {
    expect(parseLabels("enum('a','it''s','b\\\\c','d,e')")).toEqual(['a', "it's", 'b\\c', 'd,e']);
    expect(parseLabels("set('')")).toEqual(['']);
  });

  it('maps the new kinds both ways', () => {
    expect(ddlType('t', col({ kind: 'bit', length: 64 }), DEFAULT_SERVER)).toBe('BIT(64)');
    expect(ddlType('t', col({ kind: 'bit', length: 65 }), DEFAULT_SERVER)).toBe('VARCHAR(65)');
    expect(ddlType('t', col({ kind: 'bit', length: 8, varying: true }), DEFAULT_SERVER)).toBe('VARCHAR(8)');
    expect(ddlType('t', col({ kind: 'enum', values: ["it's", 'b'] }), DEFAULT_SERVER)).toBe("ENUM('it\\'s','b')");
    expect(ddlType('t', col({ kind: 'array', element: { kind: 'int', bytes: 4 } }), DEFAULT_SERVER)).toBe('JSON');
    expect(ddlType('t', col({ kind: 'decimal', precision: 19, scale: 2, money: true }), DEFAULT_SERVER)).toBe('DECIMAL(19,2)');
    expect(pgTypeFor(col({ kind: 'array', element: { kind: 'text', length: 5 } }))).toBe('varchar(5)[]');
    expect(pgTypeFor(col({ kind: 'set', values: ['a'] }))).toBe('text[]');
    expect(pgTypeFor(col({ kind: 'time', precision: 3, tz: true }))).toBe('timetz(3)');
    expect(pgTypeFor(col({ kind: 'bit', varying: true }))).toBe('varbit');
  });

  it('carries portable defaults only', () => {
    expect(pgDefault('now()', { kind: 'timestamp', precision: 6, tz: false })).toEqual({ now: true });
    expect(pgDefault("'it''s'::character varying", { kind: 'text' })).toEqual({ literal: "it's" });
    expect(pgDefault('(-1)', { kind: 'int', bytes: 4 })).toEqual({ literal: '-1' });
    expect(pgDefault('true', { kind: 'bool' })).toEqual({ literal: '1' });
    expect(pgDefault('gen_random_uuid()', { kind: 'uuid' })).toBeNull();
  });
});
