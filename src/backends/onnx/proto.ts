/**
 * A minimal protobuf writer for the subset of onnx.proto the engine emits (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto). Field numbers follow onnx/onnx.proto.
 */

class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
  }
  varint(v: number | bigint): void {
    // int64 fields: negative values are written as 10-byte two's complement.
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }
  smallVarint(v: number): void {
    if (v < 0 || v > 0x7fffffff) return this.varint(v);
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }
  tag(field: number, wire: number): void {
    this.smallVarint((field << 3) | wire);
  }
  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.smallVarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }
  int(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }
  float(field: number, v: number): void {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, v, true);
    this.len += 4;
  }
  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

export type AttrValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly str: string };

export interface NodeSpec {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly domain?: string;
}

export interface InitializerSpec {
  readonly name: string;
  readonly dtype: number;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

export interface ValueSpec {
  readonly name: string;
  readonly dtype: number;
  /** Sizes; a negative one is unknown (written as a named dimension). */
  readonly dims: readonly number[];
  /** Names of the unknown sizes by axis (default `<name>_<axis>`); equal names are equal sizes. */
  readonly dimNames?: readonly (string | undefined)[];
}

export interface ModelSpec {
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly InitializerSpec[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly opset: number;
  readonly extraOpsets?: readonly { domain: string; version: number }[];
}

function writeAttr(w: Writer, name: string, a: AttrValue): void {
  w.string(1, name);
  if ('int' in a) {
    w.int(3, a.int);
    w.int(20, 2);
  } else if ('float' in a) {
    w.float(2, a.float);
    w.int(20, 1);
  } else if ('ints' in a) {
    for (const v of a.ints) w.int(8, v);
    w.int(20, 7);
  } else if ('floats' in a) {
    for (const v of a.floats) w.float(7, v);
    w.int(20, 6);
  } else {
    w.bytes(4, new TextEncoder().encode(a.str));
    w.int(20, 3);
  }
}

function writeValueInfo(w: Writer, v: ValueSpec): void {
  w.string(1, v.name);
  w.message(2, (tp) =>
    tp.message(1, (tt) => {
      tt.int(1, v.dtype);
      tt.message(2, (sh) => {
        // A negative size is unknown: a named dimension (dim_param) instead of a dim_value.
        v.dims.forEach((d, i) => sh.message(1, (dim) => (d < 0 ? dim.string(2, v.dimNames?.[i] ?? `${v.name}_${i}`) : dim.int(1, d))));
      });
    }),
  );
}

/** Serializes a model to ONNX protobuf bytes. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version 8 (opset 18 era)
  w.string(2, 'wgan-gp');
  w.message(7, (g) => {
    for (const n of m.nodes) {
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(4, n.opType);
        for (const [k, v] of Object.entries(n.attrs)) nw.message(5, (aw) => writeAttr(aw, k, v));
        if (n.domain) nw.string(7, n.domain);
      });
    }
    g.string(2, 'main');
    for (const t of m.initializers) {
      g.message(5, (tw) => {
        for (const d of t.dims) tw.int(1, d);
        tw.int(2, t.dtype);
        tw.string(8, t.name);
        tw.bytes(9, t.raw);
      });
    }
    for (const v of m.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of m.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, m.opset);
  });
  for (const e of m.extraOpsets ?? []) {
    w.message(8, (o) => {
      o.string(1, e.domain);
      o.int(2, e.version);
    });
  }
  return w.finish();
}
