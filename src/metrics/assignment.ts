/**
 * Exact minimum-cost perfect matching (the linear assignment problem) on a dense n×n cost matrix,
 * used by the exact W1 between two equal-size point sets.
 *
 * The method: an epsilon-scaling auction (Bertsekas) finds near-optimal column prices quickly, then
 * Jonker & Volgenant's (1987) exact phases take over from those prices: two passes of augmenting
 * row reduction, then a Dijkstra search on reduced costs for each remaining free row. The exact
 * phases keep prices `v` such that every assigned row's column minimises `c[i][j] - v[j]` over j
 * (complementary slackness), so the final matching is optimal whatever the warm start was.
 * O(n³) worst case. The auction's warm start matters most where all costs are nearly tied (one set
 * collapsed onto a tiny cluster), where plain Jonker-Volgenant is several times slower
 * (docs/BENCHMARKS.md, "Exact W1").
 */

/** The result of {@link linearAssignment}. */
export interface Assignment {
  /** `rowToCol[i]` is the column matched to row i. */
  readonly rowToCol: Int32Array;
  /** The total cost of the matching, Σ_i cost[i][rowToCol[i]]. */
  readonly cost: number;
}

/**
 * Solves min over permutations σ of Σ_i cost[i·n + σ(i)] exactly (cost is row-major n×n).
 *
 * @example
 * linearAssignment(Float64Array.from([4, 1, 2, 3]), 2); // { rowToCol: [1, 0], cost: 3 }
 */
export function linearAssignment(cost: ArrayLike<number>, n: number): Assignment {
  if (!Number.isInteger(n) || n < 0) throw new Error(`linearAssignment: n must be a non-negative integer, got ${n}`);
  if (cost.length !== n * n) {
    throw new Error(`linearAssignment: cost must hold n·n = ${n * n} values, got ${cost.length}`);
  }
  const c = cost instanceof Float64Array ? cost : Float64Array.from(cost);
  for (let i = 0; i < c.length; i++) {
    if (!Number.isFinite(c[i]!)) throw new Error(`linearAssignment: cost[${i}] is not finite (${c[i]})`);
  }
  const rowToCol = new Int32Array(n).fill(-1);
  const colToRow = new Int32Array(n).fill(-1);
  const v = new Float64Array(n);
  if (n === 0) return { rowToCol, cost: 0 };

  // Warm start: near-optimal prices from an auction, then exact repair from all rows free.
  auctionPrices(c, n, v);
  let free = Array.from({ length: n }, (_, i) => i);
  for (let pass = 0; pass < 2 && free.length > 0; pass++) {
    free = augmentingRowReduction(c, n, v, rowToCol, colToRow, free);
  }
  const search = new ShortestPath(n);
  for (const row of free) search.augment(c, v, rowToCol, colToRow, row);

  let total = 0;
  for (let i = 0; i < n; i++) total += c[i * n + rowToCol[i]!]!;
  return { rowToCol, cost: total };
}

/**
 * One auction-like pass: each free row takes its best column, lowering that column's price by the
 * gap to its second best, and displaces the previous owner. Returns the rows still free.
 */
function augmentingRowReduction(
  c: Float64Array,
  n: number,
  v: Float64Array,
  rowToCol: Int32Array,
  colToRow: Int32Array,
  free: number[],
): number[] {
  const queue = free.slice();
  const stillFree: number[] = [];
  // Tiny price gaps can make the bidding slow (a "price war"): cap the work, the Dijkstra phase finishes.
  let budget = 2 * n + 100;
  let k = 0;
  while (k < queue.length) {
    const i = queue[k++]!;
    if (budget-- <= 0) {
      stillFree.push(i);
      continue;
    }
    const base = i * n;
    let u1 = c[base]! - v[0]!;
    let j1 = 0;
    let u2 = Infinity;
    let j2 = -1;
    for (let j = 1; j < n; j++) {
      const h = c[base + j]! - v[j]!;
      if (h < u2) {
        if (h >= u1) {
          u2 = h;
          j2 = j;
        } else {
          u2 = u1;
          j2 = j1;
          u1 = h;
          j1 = j;
        }
      }
    }
    let i0 = colToRow[j1]!;
    const lowers = u1 < u2;
    if (lowers) {
      v[j1] = v[j1]! - (u2 - u1);
    } else if (i0 !== -1 && j2 !== -1) {
      // A tie: take the equally good second column instead.
      j1 = j2;
      i0 = colToRow[j2]!;
    }
    if (i0 !== -1) {
      rowToCol[i0] = -1;
      // After a strict price drop the displaced row bids again now, otherwise in the next pass.
      if (lowers) queue.push(i0);
      else stillFree.push(i0);
    }
    rowToCol[i] = j1;
    colToRow[j1] = i;
  }
  return stillFree;
}

/** Dijkstra on reduced costs from one free row to the nearest free column, then augmentation. */
class ShortestPath {
  private readonly cols: Int32Array;
  private readonly d: Float64Array;
  private readonly pred: Int32Array;

  constructor(private readonly n: number) {
    this.cols = new Int32Array(n);
    this.d = new Float64Array(n);
    this.pred = new Int32Array(n);
  }

  augment(c: Float64Array, v: Float64Array, rowToCol: Int32Array, colToRow: Int32Array, start: number): void {
    const { n, cols, d, pred } = this;
    for (let j = 0; j < n; j++) {
      cols[j] = j;
      d[j] = c[start * n + j]! - v[j]!;
      pred[j] = start;
    }
    // cols[0, lo): scanned (final); cols[lo, hi): at the current minimum, to scan; cols[hi, n): the rest.
    let lo = 0;
    let hi = 0;
    let mind = 0;
    let end = -1;
    while (end === -1) {
      if (lo === hi) {
        // Move every unscanned column at the minimum distance into the to-scan region.
        mind = d[cols[hi]!]!;
        let top = hi + 1;
        for (let k = hi + 1; k < n; k++) {
          const j = cols[k]!;
          const dj = d[j]!;
          if (dj <= mind) {
            if (dj < mind) {
              top = hi;
              mind = dj;
            }
            cols[k] = cols[top]!;
            cols[top++] = j;
          }
        }
        for (let k = hi; k < top; k++) {
          if (colToRow[cols[k]!] === -1) {
            end = cols[k]!;
            break;
          }
        }
        hi = top;
        if (end !== -1) break;
      }
      // Scan the row assigned to the next column at distance mind.
      const j0 = cols[lo++]!;
      const i = colToRow[j0]!;
      const base = i * n;
      const h = c[base + j0]! - v[j0]! - mind;
      for (let k = hi; k < n; k++) {
        const j = cols[k]!;
        const dj = c[base + j]! - v[j]! - h;
        if (dj < d[j]!) {
          d[j] = dj;
          pred[j] = i;
          if (dj === mind) {
            if (colToRow[j] === -1) {
              end = j;
              break;
            }
            cols[k] = cols[hi]!;
            cols[hi++] = j;
          }
        }
      }
    }
    // Update prices of the scanned columns so the reduced costs stay consistent.
    for (let k = 0; k < lo; k++) {
      const j = cols[k]!;
      v[j] = v[j]! + d[j]! - mind;
    }
    // Augment: flip the matching along the path end <- pred ... <- start.
    let j = end;
    for (;;) {
      const i = pred[j]!;
      colToRow[j] = i;
      const previous = rowToCol[i]!;
      rowToCol[i] = j;
      if (i === start) break;
      j = previous;
    }
  }
}

/**
 * Near-equilibrium column prices from an epsilon-scaling forward auction (Bertsekas): each free row
 * bids for its best column, lowering its price by the gap to the second best plus epsilon. A positive
 * epsilon ends the "price wars" that near-tied costs cause; the prices then warm-start the exact phases.
 */
function auctionPrices(c: Float64Array, n: number, v: Float64Array): void {
  let maxC = 0;
  for (let i = 0; i < c.length; i++) maxC = Math.max(maxC, Math.abs(c[i]!));
  if (maxC === 0 || n < 2) return;
  const colToRow = new Int32Array(n);
  const queue = new Int32Array(n);
  const finalEps = (maxC * 1e-4) / n; // small enough that few rows are left for the exact phases
  for (let eps = maxC / 4; ; eps = Math.max(eps / 6, finalEps)) {
    colToRow.fill(-1);
    for (let i = 0; i < n; i++) queue[i] = i;
    let head = 0;
    let count = n; // rows in the circular queue
    while (count > 0) {
      const i = queue[head]!;
      head = head + 1 === n ? 0 : head + 1;
      count--;
      const base = i * n;
      let u1 = Infinity;
      let u2 = Infinity;
      let j1 = 0;
      for (let j = 0; j < n; j++) {
        const h = c[base + j]! - v[j]!;
        if (h < u2) {
          if (h < u1) {
            u2 = u1;
            u1 = h;
            j1 = j;
          } else u2 = h;
        }
      }
      v[j1] = v[j1]! - (u2 - u1) - eps;
      const owner = colToRow[j1]!;
      colToRow[j1] = i;
      if (owner !== -1) {
        let tail = head + count;
        if (tail >= n) tail -= n;
        queue[tail] = owner;
        count++;
      }
    }
    if (eps === finalEps) break;
  }
}
