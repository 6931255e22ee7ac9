import { describe, expect, it } from 'vitest';
import { inPrepareOrder, type PrepareOrderInput } from '../../src/core/prepare-order.js';

/** Runs the order with recording steps and returns what ran, in order, and the result. */
async function order(input: PrepareOrderInput, prepareFails = false): Promise<{ steps: string[]; result?: string[]; error?: string }> {
  const steps: string[] = [];
  try {
    const result = await inPrepareOrder(
      input,
      async () => void steps.push('drop foreign keys'),
      async () => {
        steps.push('prepare');
        if (prepareFails) throw new Error('target table a holds rows');
        return input.schemas.map(() => 'prepared');
      },
      'kept',
    );
    return { steps, result };
  } catch (e) {
    return { steps, error: (e as Error).message };
  }
}

describe('the order of preparing target tables', () => {
  it('drops foreign keys first when tables may be emptied (PostgreSQL will not truncate a referenced table)', async () => {
    for (const onExisting of ['truncate', 'append'] as const) {
      expect(await order({ onExisting, schemas: [1, 2] })).toEqual({ steps: ['drop foreign keys', 'prepare'], result: ['prepared', 'prepared'] });
    }
  });

  it('with fail, checks the tables first and leaves a refused target untouched', async () => {
    expect(await order({ onExisting: 'fail', schemas: [1] })).toEqual({ steps: ['prepare', 'drop foreign keys'], result: ['prepared'] });
    expect(await order({ onExisting: 'fail', schemas: [1] }, true)).toEqual({ steps: ['prepare'], error: 'target table a holds rows' });
  });

  it('a resumed run keeps its rows: only the foreign keys go', async () => {
    expect(await order({ onExisting: 'truncate', resume: true, schemas: [1, 2, 3] })).toEqual({ steps: ['drop foreign keys'], result: ['kept', 'kept', 'kept'] });
  });
});
