// Module loader hooks for a CLI start-up test: fail any import of the worker SDK or a database
// driver, or of the workflow SDK, which client commands must not load (they cost start-up time on every command).
// FERRY_REFUSE_ALSO (comma-separated package names) refuses more: the bundled CLI must import none of
// the packages it bundles.
import Module, { register } from 'node:module';

const HEAVY = /^(@temporalio\/worker|@temporalio\/workflow|mysql2|pg|pg-copy-streams|@swc\/core)(\/|$)/;
const also = (process.env.FERRY_REFUSE_ALSO ?? '').split(',').filter(Boolean);

const refused = (specifier) => HEAVY.test(specifier) || also.some((p) => specifier === p || specifier.startsWith(`${p}/`));

export async function resolve(specifier, context, next) {
  if (refused(specifier)) throw new Error(`client start-up imported ${specifier} (from ${context.parentURL})`);
  return next(specifier, context);
}

// The bundled CLI is CommonJS (dist/ferry-cli.cjs): its require() calls pass Node's CommonJS
// resolver, not the hooks above.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (refused(request)) throw new Error(`client start-up imported ${request} (from ${parent?.filename})`);
  return resolveFilename.call(this, request, parent, ...rest);
};

if (!process.env.FERRY_IMPORT_HOOK_LOADED) {
  process.env.FERRY_IMPORT_HOOK_LOADED = '1';
  register(import.meta.url);
}
