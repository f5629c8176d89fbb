/**
 * The message schema: a Purchase record in the style of a Python dataclass (typed fields with
 * defaults, validation on construction, value equality, immutability, a readable string form,
 * replace()) and the serializers that put it on the wire.
 *
 * Customers and products are the in-class activity's. The activity gives no prices, so the unit
 * prices below are illustrative list prices, fixed so that runs are comparable.
 */
import { KppError } from "../core/errors";
import { seededRandom } from "../core/random";

export const CUSTOMERS = ["eabara", "htanaka", "jsmith", "jbernard", "awalther", "sgarcia"] as const;
export const PRODUCTS = ["alarm clock", "t-shirts", "batteries", "book", "gift card"] as const;
export type Product = (typeof PRODUCTS)[number];

export const UNIT_PRICES: Readonly<Record<Product, number>> = Object.freeze({
  "alarm clock": 19.99,
  "t-shirts": 12.5,
  batteries: 6.49,
  book: 14.95,
  "gift card": 25,
});

/** A field value the record does not allow (kind "config": it comes from the caller's input). */
export class SchemaError extends KppError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("config", `Purchase.${field}: ${message}`);
  }
}

/** The record's fields as they are passed in; fields with defaults are optional. */
export interface PurchaseInit {
  orderId: number;
  userId: string;
  product: Product;
  quantity?: number;
  unitPrice?: number;
  /** Milliseconds since the Unix epoch (Kafka's timestamp unit). */
  timestamp?: number;
  /** Free text, e.g. a gift message; empty by default. */
  note?: string;
}

/** The record on the wire: snake_case, as Python's dataclasses.asdict() would write it. */
export interface PurchaseWire {
  order_id: number;
  user_id: string;
  product: string;
  quantity: number;
  unit_price: number;
  timestamp: number;
  note: string;
}

function requireInt(field: string, v: unknown, min: number): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw new SchemaError(field, `expected a whole number >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export class Purchase {
  readonly orderId: number;
  readonly userId: string;
  readonly product: Product;
  readonly quantity: number;
  readonly unitPrice: number;
  readonly timestamp: number;
  readonly note: string;

  constructor(init: PurchaseInit) {
    this.orderId = requireInt("orderId", init.orderId, 0);
    if (typeof init.userId !== "string" || init.userId.length === 0) {
      throw new SchemaError("userId", `expected a non-empty string, got ${JSON.stringify(init.userId)}`);
    }
    this.userId = init.userId;
    if (!PRODUCTS.includes(init.product)) {
      throw new SchemaError("product", `'${init.product}' is not one of ${PRODUCTS.join(", ")}`);
    }
    this.product = init.product;
    this.quantity = requireInt("quantity", init.quantity ?? 1, 0);
    const price = init.unitPrice ?? UNIT_PRICES[init.product];
    if (typeof price !== "number" || !Number.isFinite(price) || price < 0) {
      throw new SchemaError("unitPrice", `expected a finite number >= 0, got ${JSON.stringify(price)}`);
    }
    this.unitPrice = price;
    this.timestamp = requireInt("timestamp", init.timestamp ?? Date.now(), 0);
    const note = init.note ?? "";
    if (typeof note !== "string") throw new SchemaError("note", `expected a string, got ${JSON.stringify(note)}`);
    this.note = note;
    Object.freeze(this);
  }

  get total(): number {
    return Math.round(this.quantity * this.unitPrice * 100) / 100;
  }

  /** Like dataclasses.replace(): a new record with some fields changed (and validated). */
  replace(changes: Partial<PurchaseInit>): Purchase {
    return new Purchase({ ...this.fields(), ...changes });
  }

  fields(): Required<PurchaseInit> {
    const { orderId, userId, product, quantity, unitPrice, timestamp, note } = this;
    return { orderId, userId, product, quantity, unitPrice, timestamp, note };
  }

  equals(other: unknown): boolean {
    if (!(other instanceof Purchase)) return false;
    const a = this.fields();
    const b = other.fields();
    return (Object.keys(a) as (keyof typeof a)[]).every((k) => a[k] === b[k]);
  }

  toWire(): PurchaseWire {
    return {
      order_id: this.orderId,
      user_id: this.userId,
      product: this.product,
      quantity: this.quantity,
      unit_price: this.unitPrice,
      timestamp: this.timestamp,
      note: this.note,
    };
  }

  static fromWire(w: PurchaseWire): Purchase {
    if (typeof w !== "object" || w === null) throw new SchemaError("(record)", `expected an object, got ${JSON.stringify(w)}`);
    return new Purchase({
      orderId: w.order_id,
      userId: w.user_id,
      product: w.product as Product,
      quantity: w.quantity,
      unitPrice: w.unit_price,
      timestamp: w.timestamp,
      note: w.note,
    });
  }

  toJSON(): PurchaseWire {
    return this.toWire();
  }

  /** Reads like Python's dataclass repr. */
  toString(): string {
    const f = this.fields();
    return (
      `Purchase(order_id=${f.orderId}, user_id='${f.userId}', product='${f.product}', quantity=${f.quantity}, unit_price=${f.unitPrice}, ` +
      `timestamp=${f.timestamp}, note=${JSON.stringify(f.note)})`
    );
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** One interface for every wire format, so the benchmark can switch formats by name. */
export interface Serializer<T> {
  readonly name: string;
  readonly contentType: string;
  serialize(value: T): Buffer;
  deserialize(bytes: Buffer): T;
}

export const jsonSerializer: Serializer<Purchase> = {
  name: "json",
  contentType: "application/json",
  serialize: (p) => Buffer.from(JSON.stringify(p.toWire()), "utf8"),
  deserialize: (bytes) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      throw new SchemaError("(record)", `not valid JSON: ${(e as Error).message}`);
    }
    return Purchase.fromWire(parsed as PurchaseWire);
  },
};

/**
 * Avro with a declared schema (via avsc): the same record in binary, without field names on the
 * wire. The schema is what a Schema Registry would hold.
 */
export const PURCHASE_AVRO_SCHEMA = {
  type: "record",
  name: "Purchase",
  namespace: "edu.kafka.producers",
  doc: "One purchase by a customer of the in-class activity.",
  fields: [
    { name: "order_id", type: "long" },
    { name: "user_id", type: "string" },
    { name: "product", type: { type: "enum", name: "Product", symbols: PRODUCTS.map((p) => p.toUpperCase().replace(/[^A-Z]/g, "_")) } },
    { name: "quantity", type: "long" },
    { name: "unit_price", type: "double" },
    { name: "timestamp", type: { type: "long", logicalType: "timestamp-millis" } },
    { name: "note", type: "string", default: "" },
  ],
} as const;

const AVRO_SYMBOL = (p: Product): string => p.toUpperCase().replace(/[^A-Z]/g, "_");
const PRODUCT_OF_SYMBOL = new Map(PRODUCTS.map((p) => [AVRO_SYMBOL(p), p]));

function avroSerializer(): Serializer<Purchase> {
  // Loaded here so that JSON-only users never pay for avsc.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const avro = require("avsc") as typeof import("avsc");
  const type = avro.Type.forSchema(PURCHASE_AVRO_SCHEMA as unknown as import("avsc").Schema);
  return {
    name: "avro",
    contentType: "avro/binary",
    serialize: (p) => {
      try {
        return type.toBuffer({ ...p.toWire(), product: AVRO_SYMBOL(p.product) });
      } catch (e) {
        throw new SchemaError("(record)", `cannot be written as Avro: ${(e as Error).message}`);
      }
    },
    deserialize: (bytes) => {
      let w: PurchaseWire;
      try {
        w = type.fromBuffer(bytes) as PurchaseWire;
      } catch (e) {
        throw new SchemaError("(record)", `not a valid Avro Purchase: ${(e as Error).message}`);
      }
      return Purchase.fromWire({ ...w, product: PRODUCT_OF_SYMBOL.get(w.product) ?? w.product });
    },
  };
}

let avroInstance: Serializer<Purchase> | undefined;

/** The serializer for a name ("json" or "avro"). */
export function serializerFor(name: "json" | "avro"): Serializer<Purchase> {
  if (name === "json") return jsonSerializer;
  avroInstance ??= avroSerializer();
  return avroInstance;
}

/** n purchases by the activity's customers, chosen at random (reproducibly, from seed). */
export function generatePurchases(n: number, opts: { seed?: number; startTime?: number } = {}): Purchase[] {
  const rand = seededRandom(opts.seed ?? 42);
  const start = opts.startTime ?? Date.now();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out: Purchase[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const product = pick(PRODUCTS);
    out[i] = new Purchase({
      orderId: i,
      userId: pick(CUSTOMERS),
      product,
      quantity: 1 + Math.floor(rand() * 7),
      timestamp: start + i,
    });
  }
  return out;
}
