/** Workflow entry point bundled by the worker: every workflow type ferry registers. */
export { migrate } from './migrate.js';
export { copyShard } from './copy-shard.js';
export { verify, diff, repair } from './compare.js';
export { sync } from './sync.js';
export { tableLock } from './table-lock.js';
export { plan } from './plan.js';
export { exportTables, exportShard } from './export.js';
export { importFiles, importShard } from './import.js';
export { verifyFiles } from './verify-files.js';
