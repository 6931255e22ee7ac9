/**
 * The protobuf wire form of `temporal.api.common.v1.Payload` (`map<string, bytes> metadata = 1;
 * bytes data = 2;`), which is what an encrypting codec seals, so a payload comes back exactly as it
 * went in and other Temporal tooling reads the same bytes. Written with protobufjs's minimal
 * reader/writer instead of the generated classes, which are not a dependency of ferry.
 */
import protobuf from 'protobufjs/minimal.js';
import type { Payload } from '@temporalio/common';

const { Reader, Writer } = protobuf;

/** Serialises a payload (metadata and data; external-storage references are not used by ferry). */
export function encodePayloadProto(p: Payload): Uint8Array {
  const w = Writer.create();
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    w.uint32((1 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).string(k);
    w.uint32((2 << 3) | 2).bytes(v ?? new Uint8Array(0));
    w.ldelim();
  }
  if (p.data && p.data.length > 0) w.uint32((2 << 3) | 2).bytes(p.data);
  return w.finish();
}

/** Parses what {@link encodePayloadProto} wrote; unknown fields are skipped. */
export function decodePayloadProto(bytes: Uint8Array): Payload {
  const r = Reader.create(bytes);
  const metadata: Record<string, Uint8Array> = {};
  let data: Uint8Array = new Uint8Array(0);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) {
      const end = r.uint32() + r.pos;
      let key = '';
      let value: Uint8Array = new Uint8Array(0);
      while (r.pos < end) {
        const t = r.uint32();
        if (t >>> 3 === 1) key = r.string();
        else if (t >>> 3 === 2) value = r.bytes();
        else r.skipType(t & 7);
      }
      metadata[key] = value;
    } else if (tag >>> 3 === 2) {
      data = r.bytes();
    } else {
      r.skipType(tag & 7);
    }
  }
  return { metadata, data };
}
