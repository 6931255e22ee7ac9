/**
 * The local dev server's Web UI learns the codec endpoint (`--ui-codec-endpoint`), which is what
 * `ferry dev` passes when FERRY_CODEC_KEYS is set, so the UI shows decrypted payloads.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';

let server: DevServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe('dev server with a codec endpoint', () => {
  it('serves the endpoint in the Web UI settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sec-dev-'));
    server = await startDevServer({ port: 7328, uiPort: 8328, dbFile: join(dir, 'temporal.db'), uiCodecEndpoint: 'http://localhost:7329' });
    let settings: { Codec?: { Endpoint?: string } } = {};
    for (let i = 0; i < 50 && !settings.Codec; i++) {
      settings = (await fetch('http://localhost:8328/api/v1/settings')
        .then((r) => r.json())
        .catch(() => ({}))) as typeof settings;
      if (!settings.Codec) await new Promise((r) => setTimeout(r, 200));
    }
    expect(settings.Codec?.Endpoint).toBe('http://localhost:7329');
  });
});
