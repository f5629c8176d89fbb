import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KppError } from "../../lib/core/errors";
import { loadPurchases, parsePurchases, PurchasesDataError, quantityTable } from "../../lib/getting-started";

test("data/purchases.csv holds the activity's 6 customers x 5 products", () => {
  const d = loadPurchases(undefined, { timestamp: 1_700_000_000_000 });
  assert.equal(d.purchases.length, 30);
  assert.deepEqual(d.customers, ["eabara", "htanaka", "jsmith", "jbernard", "awalther", "sgarcia"]);
  assert.deepEqual(d.products, ["alarm clock", "t-shirts", "batteries", "book", "gift card"]);
  const first = d.purchases[0];
  assert.deepEqual(
    [first.orderId, first.userId, first.product, first.quantity, first.timestamp],
    [0, "eabara", "alarm clock", 4, 1_700_000_000_000],
  );
  // The activity: "eabara: 4 alarm clocks, 5 t-shirts, 3 batteries, 0 books, 4 gift cards" (16 in all);
  // "sgarcia: 6, 6, 6, 5, 6" (29).
  const table = quantityTable(d);
  assert.deepEqual(table[0], { user_id: "eabara", "alarm clock": 4, "t-shirts": 5, batteries: 3, book: 0, "gift card": 4, total: 16 });
  assert.equal(table[5].total, 29);
  assert.equal(
    d.purchases.reduce((s, p) => s + p.quantity, 0),
    16 + 20 + 22 + 28 + 26 + 29,
  );
});

test("a malformed row is an error naming the line and the problem", () => {
  const header = "user_id,product,quantity\n";
  const cases: [string, number | undefined, RegExp][] = [
    [header + "eabara,book,2\njsmith,laptop,1\n", 3, /product 'laptop' is not one of/],
    [header + "eabara,book,2.5\n", 2, /quantity '2.5' is not a whole number/],
    [header + "eabara,book,\n", 2, /quantity '' is not a whole number/],
    [header + "eabara,book\n", 2, /expected 3 fields/],
    [header + ",book,1\n", 2, /user_id is empty/],
    [header + "eabara,book,1\neabara,book,2\n", 3, /already on line 2/],
    ["user,product,qty\neabara,book,1\n", 1, /the header is 'user,product,qty'/],
    [header, undefined, /no purchases/],
    ["", undefined, /the file is empty/],
  ];
  for (const [text, line, message] of cases) {
    assert.throws(
      () => parsePurchases(text, "bad.csv"),
      (e: unknown) => e instanceof PurchasesDataError && e.line === line && message.test(e.message) && e.message.startsWith("bad.csv"),
      `${JSON.stringify(text)} → line ${line} ${message}`,
    );
  }
});

test("blank lines and surrounding spaces are tolerated; line numbers count them", () => {
  const d = parsePurchases("user_id,product,quantity\n\n eabara , book , 3 \n\njsmith,gift card,1\n");
  assert.deepEqual(
    d.purchases.map((p) => [p.userId, p.product, p.quantity]),
    [
      ["eabara", "book", 3],
      ["jsmith", "gift card", 1],
    ],
  );
  assert.throws(() => parsePurchases("user_id,product,quantity\n\n\nx,pen,1\n", "f.csv"), /f\.csv, line 4: product 'pen'/);
});

test("a missing file is a clear error", () => {
  const missing = path.join(os.tmpdir(), `no-such-${Date.now()}.csv`);
  assert.throws(
    () => loadPurchases(missing),
    (e: unknown) => e instanceof PurchasesDataError && /cannot be read \(ENOENT\)/.test(e.message),
  );
  // A configuration error for every command: kind "config", exit code 2.
  assert.throws(
    () => loadPurchases(missing),
    (e: unknown) => e instanceof KppError && e.kind === "config" && e.exitCode === 2 && e.name === "PurchasesDataError",
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kpp-csv-"));
  assert.throws(() => loadPurchases(dir), /cannot be read \(EISDIR\)/);
});
