import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TemporalCliError } from '../../src/errors.js';
import { FerryJobKey, SEARCH_ATTRIBUTES } from '../../src/shared.js';
import { ensureSearchAttributes, startDevServer } from '../../src/temporal/dev-server.js';
import type { DevServer } from '../../src/temporal/dev-server.js';

// Off the default ports so a developer's own `ferry dev` on 7233 is left alone.
const PORT = 7299;
const UI_PORT = 8299;

describe('startDevServer', () => {
  let dir: string;
  let server: DevServer | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-devserver-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function listCustomAttributes(address: string): Promise<Record<string, unknown>> {
    const connection = await Connection.connect({ address });
    try {
      const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      return res.customAttributes ?? {};
    } finally {
      await connection.close();
    }
  }

  it('starts with ferry search attributes, reuses a running server, and keeps state across restarts', async () => {
    const dbFile = join(dir, 'temporal.db');
    server = await startDevServer({ dbFile, port: PORT, uiPort: UI_PORT });
    expect(server).toMatchObject({ address: `localhost:${PORT}`, uiUrl: `http://localhost:${UI_PORT}`, reused: false });
    expect((await stat(dbFile)).isFile()).toBe(true);

    const attrs = await listCustomAttributes(server.address);
    for (const name of Object.values(SEARCH_ATTRIBUTES)) expect(attrs).toHaveProperty(name);

    // Registering what already exists is a no-op, not an error (clusters ferry did not start).
    const connection = await Connection.connect({ address: server.address });
    try {
      await ensureSearchAttributes(connection, 'default');
      // Skip the list-first shortcut so the add itself meets attributes that exist (some servers answer ALREADY_EXISTS).
      const blind = {
        operatorService: {
          listSearchAttributes: async () => ({}),
          addSearchAttributes: (req: Parameters<typeof connection.operatorService.addSearchAttributes>[0]) =>
            connection.operatorService.addSearchAttributes(req),
        },
      };
      await ensureSearchAttributes(blind as unknown as typeof connection, 'default');
    } finally {
      await connection.close();
    }

    const again = await startDevServer({ dbFile, port: PORT, uiPort: UI_PORT });
    expect(again.reused).toBe(true);
    expect(again.address).toBe(server.address);
    await again.stop(); // must not stop the server it does not own
    expect(Object.keys(await listCustomAttributes(server.address))).toContain(SEARCH_ATTRIBUTES.job);

    // A workflow with no worker stays Running; after a restart it must still be there.
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const workflowId = `dev-server-test-${Date.now()}`;
    try {
      await client.workflow.start('neverPolled', {
        taskQueue: 'ferry-dev-server-test',
        workflowId,
        typedSearchAttributes: [{ key: FerryJobKey, value: 'persist-check' }],
      });
    } finally {
      await client.connection.close();
    }

    await server.stop();
    server = undefined;

    // Same db file: start-dev re-registers the attributes over the persisted ones without failing.
    server = await startDevServer({ dbFile, port: PORT, uiPort: UI_PORT });
    expect(server.reused).toBe(false);
    const after = await listCustomAttributes(server.address);
    for (const name of Object.values(SEARCH_ATTRIBUTES)) expect(after).toHaveProperty(name);
    const client2 = new Client({ connection: await Connection.connect({ address: server.address }) });
    try {
      const handle = client2.workflow.getHandle(workflowId);
      const desc = await handle.describe();
      expect(desc.status.name).toBe('RUNNING');
      expect(desc.typedSearchAttributes.get(FerryJobKey)).toBe('persist-check');
      await handle.terminate('dev-server test done');
    } finally {
      await client2.connection.close();
    }
    await server.stop();
    server = undefined;
  }, 120_000);

  it('reports the stderr tail when the server process dies', async () => {
    const fake = join(dir, 'fake-temporal');
    await writeFile(fake, '#!/bin/sh\necho "boom: bad flag $3" >&2\nexit 3\n');
    await chmod(fake, 0o755);
    const err = await startDevServer({ cliPath: fake, dbFile: join(dir, 'x', 't.db'), port: 7296 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliError);
    expect((err as Error).message).toMatch(/exited with code 3[\s\S]*boom: bad flag --db-filename/);
  }, 30_000);

  it('refuses a port held by something that is not Temporal', async () => {
    const sockets = new Set<Socket>();
    const squatter = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {}); // the gRPC client resets the connection when it sees junk
      socket.end('not grpc\n');
    });
    await new Promise<void>((done) => squatter.listen(7295, 'localhost', done));
    try {
      const err = await startDevServer({ port: 7295, startTimeoutMs: 3000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemporalCliError);
      expect((err as Error).message).toContain('does not answer as a Temporal frontend');
    } finally {
      // close() alone waits for every connection, and gRPC keeps reconnecting; cut them off.
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => squatter.close(done));
    }
  }, 30_000);
});
