/**
 * The study's shipped data, data/reviews.csv: product reviews by the in-class activity's customers,
 * generated (not collected) from a fixed vocabulary with a seeded random source, so every run and
 * every machine reads the same text. `node dist/lib/end-to-end/generate-data.js` writes it again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { paths } from "../config/paths";
import { seededRandom } from "../core/random";
import { CUSTOMERS, PRODUCTS } from "../producers/purchase";

export const REVIEWS_CSV = path.join(paths.data, "reviews.csv");
const REVIEW_COLUMNS = ["review_id", "user_id", "product", "rating", "text"] as const;

// Enough distinct words that a batch's unique-word count means something.
const OPENINGS = ["I bought", "We ordered", "My sister got", "Picked up", "Tried", "Received", "Gave away", "Returned", "Kept", "Used"];
const ADJECTIVES = (
  "sturdy cheap reliable flimsy bright quiet noisy elegant clumsy handy durable fragile soft scratchy colourful plain " +
  "heavy light compact bulky generous stingy clever confusing simple lovely awful decent superb mediocre solid smart"
).split(" ");
const NOUNS = (
  "packaging price colour fabric battery alarm button strap cover story ending chapter voucher balance delivery courier " +
  "box label manual size fit charge display sound spine paper ink design value gift surprise morning weekend"
).split(" ");
const VERBS = "works lasts arrived broke faded shrank improved failed charged rang fits read pleased annoyed surprised".split(" ");
const ADVERBS = "quickly slowly late early twice again barely nicely badly perfectly".split(" ");
const CLOSINGS = [
  "Would buy again.",
  "Not worth it.",
  "Five stars.",
  "Two stars at most.",
  "Recommended for students.",
  "Ask for a refund.",
  "",
];

export interface Review {
  review_id: number;
  user_id: string;
  product: string;
  rating: number;
  text: string;
}

/** n reviews, the same for the same seed. */
export function generateReviews(n: number, seed = 2026): Review[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const product = pick(PRODUCTS);
    const sentences = [`${pick(OPENINGS)} the ${product} for ${pick(CUSTOMERS)}.`];
    for (let s = 1 + Math.floor(rand() * 3); s > 0; s--) {
      sentences.push(
        `The ${pick(ADJECTIVES)} ${pick(NOUNS)} ${pick(VERBS)} ${pick(ADVERBS)} and the ${pick(NOUNS)} is ${pick(ADJECTIVES)}.`,
      );
    }
    sentences.push(pick(CLOSINGS));
    return { review_id: i + 1, user_id: pick(CUSTOMERS), product, rating: 1 + Math.floor(rand() * 5), text: sentences.join(" ").trim() };
  });
}

/** RFC 4180 CSV: a header line, then one quoted text field per row. */
export function reviewsCsv(reviews: readonly Review[]): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = reviews.map((r) => [r.review_id, r.user_id, quote(r.product), r.rating, quote(r.text)].join(","));
  return [REVIEW_COLUMNS.join(","), ...lines].join("\n") + "\n";
}

if (require.main === module) {
  fs.writeFileSync(REVIEWS_CSV, reviewsCsv(generateReviews(1_000)));
  console.log(`wrote ${path.relative(process.cwd(), REVIEWS_CSV)}`);
}
