import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecServer, type CodecServer } from '../../src/temporal/codec-server.js';
import { AesGcmCodec, parseCodecKeys } from '../../src/temporal/payload-codec.js';

const codec = new AesGcmCodec(parseCodecKeys(`k1:${randomBytes(32).toString('base64')}`));
const UI = 'http://localhost:8233';
let open: CodecServer;
let locked: CodecServer;

beforeAll(async () => {
  open = await startCodecServer({ codec, port: 0, origins: [UI] });
  locked = await startCodecServer({ codec, port: 0, origins: [UI], authToken: 'sesame' });
});
afterAll(async () => {
  await open?.close();
  await locked?.close();
});

const b64 = (u: Uint8Array | null | undefined) => Buffer.from(u ?? new Uint8Array(0)).toString('base64');
const toJson = (p: ReturnType<typeof defaultPayloadConverter.toPayload>) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
  data: b64(p.data),
});

async function post(server: CodecServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: UI, ...headers }, body: JSON.stringify(body) });
}

describe('ferry codec server', () => {
  it('decodes what the codec encoded, in the Temporal codec-server JSON shape', async () => {
    const enc = await codec.encode([defaultPayloadConverter.toPayload({ table: 'sec_orders' })]);
    const r = await post(open, '/decode', { payloads: enc.map(toJson) });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(UI);
    const out = (await r.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(out.payloads[0]!.data, 'base64').toString()).toBe('{"table":"sec_orders"}');
    expect(Buffer.from(out.payloads[0]!.metadata['encoding']!, 'base64').toString()).toBe('json/plain');
  });

  it('encodes too (for temporal CLI --codec-endpoint), with a namespace path prefix accepted', async () => {
    const r = await post(open, '/default/encode', { payloads: [toJson(defaultPayloadConverter.toPayload('x'))] });
    const out = (await r.json()) as { payloads: { metadata: Record<string, string> }[] };
    expect(Buffer.from(out.payloads[0]!.metadata['encoding']!, 'base64').toString()).toBe('binary/encrypted');
  });

  it('answers the CORS preflight for the UI origin only', async () => {
    const ok = await fetch(open.url + '/decode', { method: 'OPTIONS', headers: { Origin: UI, 'Access-Control-Request-Method': 'POST' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const other = await fetch(open.url + '/decode', { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('requires the bearer token when one is set', async () => {
    const enc = await codec.encode([defaultPayloadConverter.toPayload(1)]);
    expect((await post(locked, '/decode', { payloads: enc.map(toJson) })).status).toBe(401);
    expect((await post(locked, '/decode', { payloads: enc.map(toJson) }, { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await post(locked, '/decode', { payloads: enc.map(toJson) }, { Authorization: 'Bearer sesame' })).status).toBe(200);
  });

  it('refuses malformed requests with a 4xx and a message, never crashing', async () => {
    expect((await post(open, '/decode', { nope: 1 })).status).toBe(400);
    expect((await post(open, '/decode', { payloads: [42] })).status).toBe(400);
    expect((await fetch(open.url + '/decode', { method: 'POST', body: '{not json' })).status).toBe(400);
    expect((await fetch(open.url + '/other', { method: 'POST', body: '{}' })).status).toBe(404);
    const tampered = (await codec.encode([defaultPayloadConverter.toPayload(1)])).map(toJson);
    tampered[0]!.data = Buffer.from('x'.repeat(40)).toString('base64');
    const r = await post(open, '/decode', { payloads: tampered });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toMatch(/authentication/);
  });
});
