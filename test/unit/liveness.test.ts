/**
 * Activities that run one long SQL statement heartbeat while it runs, so the statement can outlast
 * the activity's heartbeat timeout.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { whileAlive } from '../../src/activities/liveness.js';

describe('whileAlive', () => {
  it('heartbeats while the work runs and stops when it settles', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const result = await env.run(() => whileAlive(() => new Promise((r) => setTimeout(() => r('done'), 260)), 50));
    expect(result).toBe('done');
    expect(beats).toBeGreaterThanOrEqual(3);
    const after = beats;
    await new Promise((r) => setTimeout(r, 150));
    expect(beats).toBe(after);
  });

  it('passes a failure through and stops heartbeating', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await expect(env.run(() => whileAlive(() => Promise.reject(new Error('statement failed')), 20))).rejects.toThrow('statement failed');
    await new Promise((r) => setTimeout(r, 80));
    expect(beats).toBe(0);
  });
});
