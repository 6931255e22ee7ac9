import { randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../src/errors.js';
import { AesGcmCodec, ENCODING_ENCRYPTED, METADATA_KEY_ID, codecFromEnv, parseCodecKeys } from '../../src/temporal/payload-codec.js';
import { decodePayloadProto, encodePayloadProto } from '../../src/temporal/payload-proto.js';

const key = () => randomBytes(32).toString('base64');
const text = (p: Payload, k: string) => new TextDecoder().decode(p.metadata?.[k]);
const payload = (v: unknown) => defaultPayloadConverter.toPayload(v);

describe('payload codec (AES-256-GCM)', () => {
  const k1 = key();
  const k2 = key();

  it('round-trips payloads and hides their content', async () => {
    const codec = new AesGcmCodec(parseCodecKeys(`k1:${k1}`));
    const input = [payload({ table: 'sec_secret_table', url: 'postgres://u:${PW}@h/db' }), payload(null), payload(new Uint8Array([0, 1, 2]))];
    const enc = await codec.encode(input);
    for (const p of enc) {
      expect(text(p, 'encoding')).toBe(ENCODING_ENCRYPTED);
      expect(text(p, METADATA_KEY_ID)).toBe('k1');
      expect(Buffer.from(p.data!).toString('latin1')).not.toContain('sec_secret_table');
    }
    const dec = await codec.decode(enc);
    expect(dec.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { table: 'sec_secret_table', url: 'postgres://u:${PW}@h/db' },
      null,
      new Uint8Array([0, 1, 2]),
    ]);
    // Two encryptions of the same payload differ (random IV).
    const [a, b] = await codec.encode([input[0]!, input[0]!]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('leaves unencrypted payloads alone on decode (history written before encryption was turned on)', async () => {
    const codec = new AesGcmCodec(parseCodecKeys(`k1:${k1}`));
    const plain = payload('hello');
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotates keys: the first key encrypts, every listed key decrypts', async () => {
    const old = new AesGcmCodec(parseCodecKeys(`old:${k1}`));
    const rotated = new AesGcmCodec(parseCodecKeys(`new:${k2}, old:${k1}`));
    const fromOld = await old.encode([payload('written with the old key')]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(fromOld))[0]!)).toBe('written with the old key');
    const fromNew = await rotated.encode([payload('x')]);
    expect(text(fromNew[0]!, METADATA_KEY_ID)).toBe('new');
    // Once the old key is dropped, its payloads name the missing id.
    const dropped = new AesGcmCodec(parseCodecKeys(`new:${k2}`));
    await expect(dropped.decode(fromOld)).rejects.toThrow(/key id "old", which is not in FERRY_CODEC_KEYS/);
  });

  it('detects tampering with the ciphertext, the tag, or the key id', async () => {
    const codec = new AesGcmCodec(parseCodecKeys(`a:${k1},b:${k2}`));
    const [enc] = await codec.encode([payload({ n: 1 })]);
    for (const at of [0, 13, enc!.data!.length - 1]) {
      const data = Buffer.from(enc!.data!);
      data[at] = data[at]! ^ 1;
      await expect(codec.decode([{ ...enc!, data }])).rejects.toBeInstanceOf(CodecError);
    }
    // Relabelled as key b: the key id is authenticated data, so this fails too.
    const relabelled = { ...enc!, metadata: { ...enc!.metadata, [METADATA_KEY_ID]: new TextEncoder().encode('b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([{ ...enc!, data: new Uint8Array(5) }])).rejects.toThrow(/truncated/);
  });

  it('parses FERRY_CODEC_KEYS strictly and never echoes a key', () => {
    expect(codecFromEnv({})).toBeUndefined();
    expect(codecFromEnv({ FERRY_CODEC_KEYS: ' ' })).toBeUndefined();
    expect(parseCodecKeys(` k1:${k1} , k2:${k2} `).map((k) => k.id)).toEqual(['k1', 'k2']);
    const short = Buffer.alloc(16).toString('base64');
    for (const bad of [`k1`, `:${k1}`, `k 1:${k1}`, `k1:${short}`, `k1:not*base64`, `k1:${k1},k1:${k2}`, ',']) {
      let message = '';
      try {
        parseCodecKeys(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(CodecError);
        message = (e as Error).message;
      }
      expect(message, bad).toMatch(/FERRY_CODEC_KEYS/);
      expect(message).not.toContain(k1);
    }
  });

  it('seals the standard protobuf form of a payload', () => {
    const p: Payload = { metadata: { encoding: new TextEncoder().encode('json/plain'), empty: new Uint8Array(0) }, data: new TextEncoder().encode('{"a":1}') };
    const back = decodePayloadProto(encodePayloadProto(p));
    const hex = (q: Payload) => ({ m: Object.entries(q.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('hex')]), d: Buffer.from(q.data!).toString('hex') });
    expect(hex(back)).toEqual(hex(p));
    // Field 1 (metadata map entry, length-delimited) first: 0x0a.
    expect(encodePayloadProto(p)[0]).toBe(0x0a);
  });
});
