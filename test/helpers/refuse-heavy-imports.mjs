// Module loader hooks for a CLI start-up test: fail any import of the worker SDK or a database
// driver, or of the workflow SDK, which client commands must not load (they cost start-up time on every command).
import { register } from 'node:module';

const HEAVY = /^(@temporalio\/worker|@temporalio\/workflow|mysql2|pg|pg-copy-streams|@swc\/core)(\/|$)/;

export async function resolve(specifier, context, next) {
  if (HEAVY.test(specifier)) throw new Error(`client start-up imported ${specifier} (from ${context.parentURL})`);
  return next(specifier, context);
}

if (!process.env.FERRY_IMPORT_HOOK_LOADED) {
  process.env.FERRY_IMPORT_HOOK_LOADED = '1';
  register(import.meta.url);
}
