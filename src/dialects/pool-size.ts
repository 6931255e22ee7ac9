/**
 * Connections each worker process opens per database URL: FERRY_POOL_SIZE, default 10. Every running
 * copy holds two (a reader and a writer), so size it to about twice FERRY_MAX_ACTIVITIES.
 */
export function poolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env['FERRY_POOL_SIZE'] ?? 10);
  return Number.isInteger(n) && n > 0 ? n : 10;
}
