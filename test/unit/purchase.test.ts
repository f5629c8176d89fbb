import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  CUSTOMERS,
  generatePurchases,
  jsonSerializer,
  PRODUCTS,
  Purchase,
  SchemaError,
  serializerFor,
  UNIT_PRICES,
} from "../../lib/producers";

const avroSerializer = serializerFor("avro");

const base = { orderId: 7, userId: "jsmith", product: "book" as const, quantity: 3, unitPrice: 14.95, timestamp: 1_700_000_000_000 };

test("defaults fill the optional fields", () => {
  const p = new Purchase({ orderId: 1, userId: "eabara", product: "gift card" });
  assert.equal(p.quantity, 1);
  assert.equal(p.unitPrice, UNIT_PRICES["gift card"]);
  assert.ok(Math.abs(p.timestamp - Date.now()) < 5_000);
});

test("validation on construction names the field", () => {
  const bad: [Partial<typeof base>, string][] = [
    [{ orderId: -1 }, "orderId"],
    [{ userId: "" }, "userId"],
    [{ product: "laptop" as never }, "product"],
    [{ quantity: 1.5 }, "quantity"],
    [{ quantity: -2 }, "quantity"],
    [{ unitPrice: Number.NaN }, "unitPrice"],
    [{ unitPrice: -1 }, "unitPrice"],
    [{ timestamp: Number.POSITIVE_INFINITY }, "timestamp"],
  ];
  for (const [change, field] of bad) {
    assert.throws(
      () => new Purchase({ ...base, ...change }),
      (e: unknown) => e instanceof SchemaError && e.field === field,
      field,
    );
  }
});

test("immutable, equal by value, readable, replace() like dataclasses.replace", () => {
  const p = new Purchase(base);
  assert.ok(Object.isFrozen(p));
  assert.throws(() => {
    (p as { quantity: number }).quantity = 9;
  }, TypeError);
  assert.ok(p.equals(new Purchase({ ...base })));
  assert.ok(!p.equals(new Purchase({ ...base, quantity: 4 })));
  assert.ok(!p.equals({ ...base }));
  assert.equal(
    String(p),
    `Purchase(order_id=7, user_id='jsmith', product='book', quantity=3, unit_price=14.95, timestamp=1700000000000, note="")`,
  );
  assert.equal(inspect(p), String(p));
  const q = p.replace({ quantity: 5 });
  assert.equal(q.quantity, 5);
  assert.equal(p.quantity, 3);
  assert.equal(q.total, 74.75);
  assert.throws(() => p.replace({ quantity: -1 }), SchemaError);
});

test("JSON round trip, snake_case on the wire", () => {
  const p = new Purchase(base);
  const bytes = jsonSerializer.serialize(p);
  assert.deepEqual(JSON.parse(bytes.toString()), {
    order_id: 7,
    user_id: "jsmith",
    product: "book",
    quantity: 3,
    unit_price: 14.95,
    timestamp: 1_700_000_000_000,
    note: "",
  });
  assert.ok(jsonSerializer.deserialize(bytes).equals(p));
});

test("both serializers round-trip edge values", () => {
  const edge = [
    new Purchase({ ...base, userId: 'Zoë 🚀 用户 "quoted" \\ </script>', quantity: 0, unitPrice: 0, note: "🎁 für dich\n\t\u0000" }),
    new Purchase({ ...base, orderId: 2 ** 52 + 1, quantity: 2 ** 31, unitPrice: 1e15 + 0.5, timestamp: 0 }),
    new Purchase({ ...base, unitPrice: 0.1 + 0.2, note: "" }),
    ...PRODUCTS.map((product) => new Purchase({ ...base, product })),
  ];
  for (const ser of [jsonSerializer, avroSerializer]) {
    for (const p of edge) assert.ok(ser.deserialize(ser.serialize(p)).equals(p), `${ser.name}: ${p}`);
  }
  const biggest = new Purchase({ ...base, orderId: Number.MAX_SAFE_INTEGER });
  assert.ok(jsonSerializer.deserialize(jsonSerializer.serialize(biggest)).equals(biggest));
  // avsc's long stops one short of 2^53 - 1: a clear error, not a silently wrong number.
  assert.throws(
    () => avroSerializer.serialize(biggest),
    (e: unknown) => e instanceof SchemaError && /order_id|long/.test(e.message),
  );
});

test("Avro is smaller than JSON for the same record, and the formats differ", () => {
  const p = new Purchase(base);
  const json = jsonSerializer.serialize(p);
  const avro = avroSerializer.serialize(p);
  assert.ok(avro.length < json.length / 2, `avro ${avro.length} B vs json ${json.length} B`);
  assert.equal(avroSerializer.name, "avro");
  assert.throws(() => avroSerializer.deserialize(json), SchemaError);
  assert.equal(serializerFor("json"), jsonSerializer);
});

test("deserializing garbage is a SchemaError", () => {
  assert.throws(() => jsonSerializer.deserialize(Buffer.from("{not json")), SchemaError);
  assert.throws(() => jsonSerializer.deserialize(Buffer.from("null")), SchemaError);
  assert.throws(
    () => jsonSerializer.deserialize(Buffer.from('{"order_id":1,"user_id":"x","product":"car","quantity":1,"unit_price":1,"timestamp":1}')),
    /product/,
  );
});

test("generated purchases are reproducible and use the activity's customers and products", () => {
  const a = generatePurchases(500, { seed: 1, startTime: 1000 });
  const b = generatePurchases(500, { seed: 1, startTime: 1000 });
  assert.equal(a.length, 500);
  assert.ok(a.every((p, i) => p.equals(b[i]) && p.orderId === i));
  assert.ok(a.every((p) => (CUSTOMERS as readonly string[]).includes(p.userId) && PRODUCTS.includes(p.product)));
  assert.equal(new Set(a.map((p) => p.userId)).size, CUSTOMERS.length);
  assert.equal(new Set(a.map((p) => p.product)).size, PRODUCTS.length);
  assert.ok(!generatePurchases(50, { seed: 2, startTime: 1000 }).every((p, i) => p.equals(a[i])));
});
