/**
 * The few pieces of the protobuf wire format that KPL aggregation needs: varints and
 * length-delimited fields. Hand-written because the schema is two messages and a runtime
 * dependency (and its code generator) would weigh more than the whole transform.
 * https://protobuf.dev/programming-guides/encoding/
 */

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

export interface FieldHeader {
  fieldNumber: number;
  wireType: number;
}

/** Reads one message's bytes front to back; every read is bounds-checked. */
export class ProtoReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  /**
   * A varint as a JS number. Values above 2^53 cannot be told apart as numbers; the only
   * varints KPL carries are table indexes, where such a value is out of range anyway.
   */
  readVarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) throw new ProtobufError('truncated varint');
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw new ProtobufError('varint out of range');
        return value;
      }
      scale *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  readHeader(): FieldHeader {
    const key = this.readVarint();
    const fieldNumber = Math.floor(key / 8);
    if (fieldNumber === 0) throw new ProtobufError('field number 0 is not allowed');
    return { fieldNumber, wireType: key % 8 };
  }

  /** A length-delimited field's payload, as a view on the same buffer (no copy). */
  readLengthDelimited(): Uint8Array {
    const length = this.readVarint();
    const end = this.offset + length;
    if (end > this.bytes.length)
      throw new ProtobufError('length-delimited field runs past the end');
    const view = this.bytes.subarray(this.offset, end);
    this.offset = end;
    return view;
  }

  /** Skips a field this decoder does not know, as protobuf requires for forward compatibility. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.readVarint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.readLengthDelimited();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(count: number): void {
    if (this.offset + count > this.bytes.length) throw new ProtobufError('truncated fixed field');
    this.offset += count;
  }
}

/** Builds one message; used by the encoder that tests and the local producer rely on. */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  varintField(fieldNumber: number, value: number): this {
    this.push(encodeVarint(fieldNumber * 8 + WIRE_VARINT));
    this.push(encodeVarint(value));
    return this;
  }

  bytesField(fieldNumber: number, value: Uint8Array): this {
    this.push(encodeVarint(fieldNumber * 8 + WIRE_LENGTH_DELIMITED));
    this.push(encodeVarint(value.length));
    this.push(value);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
}

export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtobufError(`cannot encode ${value} as an unsigned varint`);
  }
  const out: number[] = [];
  let rest = value;
  // Division, not bit shifts: JS bitwise operators truncate to 32 bits.
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}
