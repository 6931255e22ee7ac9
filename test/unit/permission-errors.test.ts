import { describe, expect, it } from 'vitest';
import { PermissionDeniedError } from '../../src/errors.js';
import { permissionError } from '../../src/dialects/mysql/mysql-errors.js';
import { wrapPgError } from '../../src/dialects/postgres/postgres-errors.js';

const target = { label: 'mysql://db:3306/shop', host: 'db', database: 'shop' };
const myErr = (code: string, sqlMessage: string, sql?: string) => Object.assign(new Error(sqlMessage), { code, sqlMessage, ...(sql ? { sql } : {}) });
const pgErr = (message: string) => Object.assign(new Error(message), { code: '42501' });

describe('missing privileges name the GRANT that fixes them', () => {
  it('MySQL: a denied command', () => {
    const e = permissionError(myErr('ER_TABLEACCESS_DENIED_ERROR', "CREATE command denied to user 'app'@'10.0.0.7' for table `shop`.`orders`", 'CREATE TABLE …'), target, 'orders');
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect(e?.permanent).toBe(true);
    expect(e?.message).toBe(
      `table "orders" on MySQL at mysql://db:3306/shop: permission denied (CREATE command denied to user 'app'@'10.0.0.7' for table \`shop\`.\`orders\`); ` +
        `run GRANT CREATE ON \`shop\`.* TO 'app'@'10.0.0.7' (README "Database privileges" lists what a source and a target need)`,
    );
  });
  it('MySQL: a temporary table refused with "access denied to database" (repair, sync)', () => {
    const e = permissionError(myErr('ER_DBACCESS_DENIED_ERROR', "Access denied for user 'app'@'%' to database 'shop'", 'CREATE TEMPORARY TABLE `ferry_stage` LIKE `orders`'), target, 'orders');
    expect(e?.message).toMatch(/run GRANT CREATE TEMPORARY TABLES ON `shop`\.\* TO 'app'@'%'/);
  });
  it('MySQL: the same code at login is left to the connection mapping', () => {
    expect(permissionError(myErr('ER_DBACCESS_DENIED_ERROR', "Access denied for user 'app'@'%' to database 'shop'"), target)).toBeUndefined();
    expect(permissionError(myErr('ER_PARSE_ERROR', 'syntax', 'SELECT'), target)).toBeUndefined();
  });
  it('PostgreSQL: schema, ownership, temporary tables, tables', () => {
    expect(wrapPgError(pgErr('permission denied for schema public'), 'postgres db/shop', 'creating table "orders"').message).toMatch(/run GRANT USAGE, CREATE ON SCHEMA public TO/);
    expect(wrapPgError(pgErr('must be owner of table orders'), 'postgres db/shop', 'creating index x').message).toMatch(/ALTER TABLE orders OWNER TO/);
    expect(wrapPgError(pgErr('permission denied to create temporary tables in database "shop"'), 'postgres db/shop', 'upserting').message).toMatch(/GRANT TEMPORARY ON DATABASE shop TO/);
    expect(wrapPgError(pgErr('permission denied for table orders'), 'postgres db/shop', 'reading').message).toMatch(/GRANT SELECT ON orders TO/);
    expect(wrapPgError(pgErr('permission denied for table orders'), 'postgres db/shop', 'reading')).toMatchObject({ permanent: true });
  });
});
