/**
 * The in-class activity's purchases (data/purchases.csv: 6 customers x 5 products with
 * quantities) as Purchase records.
 *
 * The CSV is hand-edited data, so every row is checked and a bad one is a PurchasesDataError (a
 * KppError of kind "config": exit code 2) that names the file, the line and the fix, rather than
 * a record with NaN in it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "csv-parse/sync";
import { paths } from "../config/paths";
import { KppError } from "../core/errors";
import { PRODUCTS, Purchase, type Product } from "../producers/purchase";

export const PURCHASES_CSV = path.join(paths.data, "purchases.csv");
export const PURCHASES_HEADER = ["user_id", "product", "quantity"] as const;

export class PurchasesDataError extends KppError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super("config", `${file}${line !== undefined ? `, line ${line}` : ""}: ${message}`);
  }
}

export interface LoadPurchasesOptions {
  /** Timestamp given to every record (ms since the epoch); default: now. */
  timestamp?: number;
}

/** The activity's data: the records plus the customer and product lists in file order. */
export interface PurchasesData {
  file: string;
  purchases: Purchase[];
  customers: string[];
  products: Product[];
}

type Row = { record: string[]; info: { lines: number } };

function checkHeader(file: string, header: string[] | undefined): void {
  const got = (header ?? []).map((h) => h.trim());
  if (got.length !== PURCHASES_HEADER.length || PURCHASES_HEADER.some((h, i) => h !== got[i])) {
    throw new PurchasesDataError(file, 1, `the header is '${got.join(",")}'; it must be '${PURCHASES_HEADER.join(",")}'.`);
  }
}

/** One CSV row to a Purchase; orderId is the row's position (0-based) among the records. */
function toPurchase(file: string, row: Row, orderId: number, timestamp: number): Purchase {
  const line = row.info.lines;
  const cells = row.record.map((c) => c.trim());
  if (cells.length !== PURCHASES_HEADER.length) {
    throw new PurchasesDataError(
      file,
      line,
      `expected ${PURCHASES_HEADER.length} fields (${PURCHASES_HEADER.join(",")}), found ${cells.length}: '${row.record.join(",")}'.`,
    );
  }
  const [userId, product, quantityText] = cells;
  if (!userId) throw new PurchasesDataError(file, line, "user_id is empty; write the customer's id.");
  if (!(PRODUCTS as readonly string[]).includes(product)) {
    throw new PurchasesDataError(file, line, `product '${product}' is not one of: ${PRODUCTS.join(", ")}.`);
  }
  // Number("") is 0 and Number("2.5") is 2.5: accept digits only.
  if (!/^\d+$/.test(quantityText)) {
    throw new PurchasesDataError(file, line, `quantity '${quantityText}' is not a whole number >= 0.`);
  }
  return new Purchase({ orderId, userId, product: product as Product, quantity: Number(quantityText), timestamp });
}

/** Parses CSV text (header user_id,product,quantity); `file` is only used in error messages. */
export function parsePurchases(text: string, file = "purchases.csv", opts: LoadPurchasesOptions = {}): PurchasesData {
  let rows: Row[];
  try {
    rows = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as Row[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new PurchasesDataError(file, err.lines, `not valid CSV: ${err.message}`);
  }
  if (rows.length === 0)
    throw new PurchasesDataError(
      file,
      undefined,
      `the file is empty; it needs the header '${PURCHASES_HEADER.join(",")}' and one row per purchase.`,
    );
  checkHeader(file, rows[0].record);
  const timestamp = opts.timestamp ?? Date.now();
  const purchases = rows.slice(1).map((row, i) => toPurchase(file, row, i, timestamp));
  if (purchases.length === 0) throw new PurchasesDataError(file, undefined, "has a header but no purchases.");
  const seen = new Map<string, number>();
  rows.slice(1).forEach((row, i) => {
    const key = `${purchases[i].userId}\u0000${purchases[i].product}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new PurchasesDataError(
        file,
        row.info.lines,
        `${purchases[i].userId} / ${purchases[i].product} is already on line ${earlier}; merge the two rows.`,
      );
    }
    seen.set(key, row.info.lines);
  });
  return {
    file,
    purchases,
    customers: [...new Set(purchases.map((p) => p.userId))],
    products: [...new Set(purchases.map((p) => p.product))],
  };
}

/** Reads data/purchases.csv (or another file in the same format). */
export function loadPurchases(file: string = PURCHASES_CSV, opts: LoadPurchasesOptions = {}): PurchasesData {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new PurchasesDataError(
      file,
      undefined,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check the path.`,
    );
  }
  return parsePurchases(text, file, opts);
}

/** Quantity per customer and product, customers as rows (the activity's table). */
export function quantityTable(data: PurchasesData): Record<string, string | number>[] {
  return data.customers.map((c) => {
    const row: Record<string, string | number> = { user_id: c };
    for (const p of data.products) row[p] = data.purchases.find((x) => x.userId === c && x.product === p)?.quantity ?? 0;
    row.total = data.purchases.filter((x) => x.userId === c).reduce((s, x) => s + x.quantity, 0);
    return row;
  });
}
