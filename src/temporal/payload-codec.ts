/**
 * Optional encryption of everything ferry's client and workers put into Temporal payloads (workflow
 * inputs and results, activity arguments, heartbeats, queries, failure messages): AES-256-GCM with a
 * random 96-bit IV per payload. Keys come from FERRY_CODEC_KEYS=`id1:base64key,id2:base64key`; the
 * first encrypts, any listed one decrypts, and each payload names its key id in its metadata, so a
 * key is rotated by putting a new one first and dropping the old one once no history needs it.
 *
 * Not encrypted (Temporal cannot index ciphertext): workflow IDs, search attributes (job and table
 * names) and the workflow type.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { CodecError } from '../errors.js';
import { decodePayloadProto, encodePayloadProto } from './payload-proto.js';

/** `encoding` metadata of an encrypted payload. */
export const ENCODING_ENCRYPTED = 'binary/encrypted';
/** Metadata key naming the key a payload was encrypted with. */
export const METADATA_KEY_ID = 'encryption-key-id';
/** Environment variable holding the keys. */
export const CODEC_KEYS_ENV = 'FERRY_CODEC_KEYS';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One AES-256 key and the id payloads name it by. */
export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Buffer;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * Parses `id1:base64key,id2:base64key` (whitespace ignored). Each key must decode to 32 bytes; make
 * one with `openssl rand -base64 32`. Throws CodecError naming the bad entry (never echoing a key).
 */
export function parseCodecKeys(text: string): CodecKey[] {
  const keys: CodecKey[] = [];
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const b64 = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const where = `${CODEC_KEYS_ENV} entry ${i + 1}`;
    if (!KEY_ID.test(id)) throw new CodecError(`${where} must look like id:base64key with an id of letters, digits, ".", "_" or "-"`);
    if (keys.some((k) => k.id === id)) throw new CodecError(`${where}: key id "${id}" is listed twice`);
    const key = /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) throw new CodecError(`${where} (id "${id}"): the key must be 32 bytes in base64; make one with \`openssl rand -base64 32\``);
    keys.push({ id, key });
  });
  if (keys.length === 0) throw new CodecError(`${CODEC_KEYS_ENV} is set but lists no key; use id:base64key[,id2:base64key]`);
  return keys;
}

/** The keys from FERRY_CODEC_KEYS, or undefined when it is unset or empty (no encryption). */
export function codecKeysFromEnv(env: NodeJS.ProcessEnv = process.env): CodecKey[] | undefined {
  const text = env[CODEC_KEYS_ENV];
  return text === undefined || text.trim() === '' ? undefined : parseCodecKeys(text);
}

/** AES-256-GCM {@link PayloadCodec}. Payloads that are not encrypted pass through decode unchanged. */
export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: CodecKey;

  /** `keys[0]` encrypts; every key decrypts. */
  constructor(keys: CodecKey[]) {
    const first = keys[0];
    if (!first) throw new CodecError('the payload codec needs at least one key');
    this.current = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too, so a payload cannot be relabelled to another key.
    cipher.setAAD(utf8.encode(id));
    const body = Buffer.concat([cipher.update(encodePayloadProto(payload)), cipher.final()]);
    return {
      metadata: { encoding: utf8.encode(ENCODING_ENCRYPTED), [METADATA_KEY_ID]: utf8.encode(id) },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.['encoding'];
    if (!encoding || fromUtf8.decode(encoding) !== ENCODING_ENCRYPTED) return payload;
    const idBytes = payload.metadata?.[METADATA_KEY_ID];
    const data = payload.data ?? new Uint8Array(0);
    if (data.length < IV_BYTES + TAG_BYTES) throw new CodecError('encrypted payload is truncated');
    const ids = idBytes ? [fromUtf8.decode(idBytes)] : [...this.byId.keys()];
    const candidates = ids.filter((id) => this.byId.has(id));
    if (candidates.length === 0) {
      throw new CodecError(
        `payload was encrypted with key id "${ids[0] ?? '?'}", which is not in ${CODEC_KEYS_ENV} (ids: ${[...this.byId.keys()].join(', ')}); add that key`,
      );
    }
    for (const id of candidates) {
      const plain = this.tryDecrypt(this.byId.get(id)!, id, data);
      if (plain) return decodePayloadProto(plain);
    }
    throw new CodecError('encrypted payload failed authentication: it was altered, or was encrypted with another key of the same id');
  }

  private tryDecrypt(key: Buffer, id: string, data: Uint8Array): Uint8Array | undefined {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
      decipher.setAAD(utf8.encode(id));
      decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
      return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}

/** The codec for FERRY_CODEC_KEYS, or undefined when encryption is off. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmCodec | undefined {
  const keys = codecKeysFromEnv(env);
  return keys ? new AesGcmCodec(keys) : undefined;
}
