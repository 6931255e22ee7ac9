/**
 * Runs async tasks with at most `limit` in flight, keeping input order in the results. Deterministic:
 * it only uses promises, which the workflow sandbox schedules in a fixed order.
 */
export async function boundedAll<T, R>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}
