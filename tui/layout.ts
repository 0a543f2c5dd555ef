// Pane layout as a tree of splits (like tmux's layout cells): split, close, zoom, resize, equalise, presets, geometry.

/** A rectangle on the outer terminal, in cells. */
export interface Rect {
  /** Left column. */
  x: number;
  /** Top row. */
  y: number;
  /** Width in columns. */
  w: number;
  /** Height in rows. */
  h: number;
}

/** Direction of a split: `h` puts children left/right, `v` top/bottom. */
export type SplitDir = "h" | "v";

/** A node of the layout tree: a pane, or a split of two or more children with their shares. */
export type LayoutNode =
  | { kind: "pane"; id: number }
  | { kind: "split"; dir: SplitDir; children: LayoutNode[]; weights: number[] };

/** A direction to move focus in. */
export type FocusDir = "left" | "right" | "up" | "down";

/** Preset layouts (tmux's even-horizontal, even-vertical and tiled). */
export type Preset = "even-horizontal" | "even-vertical" | "tiled";

/** Smallest pane (including its 1-row header) the geometry will produce where there is room. */
export const MIN_PANE_W = 2;
/** Smallest pane height including its header. */
export const MIN_PANE_H = 2;

/**
 * The layout of a window's panes. Each pane's rectangle includes a 1-row header on top (its
 * title/border); panes side by side are separated by a 1-column border.
 */
export class Layout {
  #root: LayoutNode | null = null;
  #zoomed: number | null = null;

  /** A layout with one pane, or empty. */
  constructor(first?: number) {
    if (first !== undefined) this.#root = { kind: "pane", id: first };
  }

  /** The tree (null when there is no pane). */
  get root(): LayoutNode | null {
    return this.#root;
  }

  /** The zoomed pane, if any. */
  get zoomed(): number | null {
    return this.#zoomed;
  }

  /** Pane ids in tree order (left to right, top to bottom). */
  panes(): number[] {
    const out: number[] = [];
    const walk = (n: LayoutNode): void => {
      if (n.kind === "pane") out.push(n.id);
      else for (const c of n.children) walk(c);
    };
    if (this.#root) walk(this.#root);
    return out;
  }

  /** Adds the first pane of an empty layout, or splits `target` with `id` next to it (after it). */
  split(target: number | null, id: number, dir: SplitDir): void {
    this.#zoomed = null;
    if (!this.#root || target === null) {
      if (this.#root) throw new Error("split needs a target pane");
      this.#root = { kind: "pane", id };
      return;
    }
    const leaf: LayoutNode = { kind: "pane", id };
    const found = this.#find(target);
    if (!found) throw new Error(`no pane ${target}`);
    const { node, parent, index } = found;
    if (parent && parent.dir === dir) {
      // Same direction as the parent: become a sibling, sharing the target's space.
      const w = parent.weights[index] / 2;
      parent.weights[index] = w;
      parent.children.splice(index + 1, 0, leaf);
      parent.weights.splice(index + 1, 0, w);
      return;
    }
    const split: LayoutNode = { kind: "split", dir, children: [node, leaf], weights: [1, 1] };
    if (!parent) this.#root = split;
    else parent.children[index] = split;
  }

  /** Removes a pane; its space goes to its siblings. */
  remove(id: number): void {
    if (this.#zoomed === id) this.#zoomed = null;
    const found = this.#find(id);
    if (!found) return;
    const { parent, index } = found;
    if (!parent) {
      this.#root = null;
      return;
    }
    parent.children.splice(index, 1);
    parent.weights.splice(index, 1);
    if (parent.children.length === 1) {
      const only = parent.children[0];
      const gp = this.#parentOf(parent);
      if (!gp) this.#root = only;
      else if (only.kind === "split" && only.dir === gp.node.dir) {
        // Flatten into the grandparent.
        const share = gp.node.weights[gp.index];
        const sum = only.weights.reduce((a, b) => a + b, 0);
        gp.node.children.splice(gp.index, 1, ...only.children);
        gp.node.weights.splice(gp.index, 1, ...only.weights.map((w) => (w / sum) * share));
      } else gp.node.children[gp.index] = only;
    }
  }

  /** Zooms `id` to the whole area, or unzooms if it is zoomed already. */
  toggleZoom(id: number): void {
    this.#zoomed = this.#zoomed === id ? null : this.#find(id) ? id : null;
  }

  /** Gives every child of every split an equal share. */
  equalise(): void {
    const walk = (n: LayoutNode): void => {
      if (n.kind === "split") {
        n.weights.fill(1);
        for (const c of n.children) walk(c);
      }
    };
    if (this.#root) walk(this.#root);
  }

  /**
   * Grows (positive `delta`) or shrinks pane `id` along `dir` by roughly `delta` cells of `total`,
   * moving the border it shares with the next (or previous) sibling in the nearest split of that direction.
   */
  resize(id: number, dir: SplitDir, delta: number, total: number): void {
    let cur = this.#find(id);
    while (cur?.parent && cur.parent.dir !== dir) cur = this.#asFound(cur.parent);
    if (!cur?.parent) return;
    const p = cur.parent;
    const sum = p.weights.reduce((a, b) => a + b, 0);
    const step = (delta / Math.max(total, 1)) * sum;
    const other = cur.index + 1 < p.children.length ? cur.index + 1 : cur.index - 1;
    if (other < 0) return;
    const minW = sum * 0.05;
    const grow = Math.max(Math.min(step, p.weights[other] - minW), minW - p.weights[cur.index]);
    p.weights[cur.index] += grow;
    p.weights[other] -= grow;
  }

  /** Replaces the tree with a preset arrangement of the same panes (in tree order). */
  applyPreset(preset: Preset): void {
    const ids = this.panes();
    if (ids.length === 0) return;
    const leaves: LayoutNode[] = ids.map((id) => ({ kind: "pane", id }));
    if (leaves.length === 1) {
      this.#root = leaves[0];
      return;
    }
    if (preset === "even-horizontal" || preset === "even-vertical") {
      this.#root = {
        kind: "split",
        dir: preset === "even-horizontal" ? "h" : "v",
        children: leaves,
        weights: leaves.map(() => 1),
      };
      return;
    }
    const cols = Math.ceil(Math.sqrt(leaves.length));
    const rows: LayoutNode[] = [];
    for (let i = 0; i < leaves.length; i += cols) {
      const chunk = leaves.slice(i, i + cols);
      rows.push(
        chunk.length === 1
          ? chunk[0]
          : { kind: "split", dir: "h", children: chunk, weights: chunk.map(() => 1) },
      );
    }
    this.#root =
      rows.length === 1 ? rows[0] : { kind: "split", dir: "v", children: rows, weights: rows.map(() => 1) };
  }

  /** Each visible pane's rectangle (header row included) inside `area`. */
  geometry(area: Rect): Map<number, Rect> {
    const out = new Map<number, Rect>();
    if (this.#zoomed !== null) {
      out.set(this.#zoomed, { ...area });
      return out;
    }
    if (this.#root) place(this.#root, area, out);
    return out;
  }

  /** The pane next to `from` in direction `dir` (the one overlapping it most), or null. */
  neighbour(from: number, dir: FocusDir, area: Rect): number | null {
    const geo = this.geometry(area);
    const r = geo.get(from);
    if (!r) return null;
    let best: number | null = null;
    let bestScore = -1;
    for (const [id, o] of geo) {
      if (id === from) continue;
      let adjacent: boolean;
      let overlap: number;
      if (dir === "left" || dir === "right") {
        adjacent =
          dir === "left"
            ? o.x + o.w <= r.x && o.x + o.w >= r.x - 1
            : o.x >= r.x + r.w && o.x <= r.x + r.w + 1;
        overlap = Math.min(o.y + o.h, r.y + r.h) - Math.max(o.y, r.y);
      } else {
        adjacent =
          dir === "up" ? o.y + o.h <= r.y && o.y + o.h >= r.y - 1 : o.y >= r.y + r.h && o.y <= r.y + r.h + 1;
        overlap = Math.min(o.x + o.w, r.x + r.w) - Math.max(o.x, r.x);
      }
      if (adjacent && overlap > 0 && overlap > bestScore) {
        best = id;
        bestScore = overlap;
      }
    }
    return best;
  }

  #find(
    id: number,
  ): { node: LayoutNode; parent: Extract<LayoutNode, { kind: "split" }> | null; index: number } | null {
    const walk = (
      n: LayoutNode,
      parent: Extract<LayoutNode, { kind: "split" }> | null,
      index: number,
    ): { node: LayoutNode; parent: Extract<LayoutNode, { kind: "split" }> | null; index: number } | null => {
      if (n.kind === "pane") return n.id === id ? { node: n, parent, index } : null;
      for (let i = 0; i < n.children.length; i++) {
        const r = walk(n.children[i], n, i);
        if (r) return r;
      }
      return null;
    };
    return this.#root ? walk(this.#root, null, 0) : null;
  }

  #asFound(node: LayoutNode): {
    node: LayoutNode;
    parent: Extract<LayoutNode, { kind: "split" }> | null;
    index: number;
  } {
    const p = this.#parentOf(node);
    return { node, parent: p?.node ?? null, index: p?.index ?? 0 };
  }

  #parentOf(target: LayoutNode): { node: Extract<LayoutNode, { kind: "split" }>; index: number } | null {
    const walk = (n: LayoutNode): { node: Extract<LayoutNode, { kind: "split" }>; index: number } | null => {
      if (n.kind === "pane") return null;
      for (let i = 0; i < n.children.length; i++) {
        if (n.children[i] === target) return { node: n, index: i };
        const r = walk(n.children[i]);
        if (r) return r;
      }
      return null;
    };
    return this.#root ? walk(this.#root) : null;
  }
}

/** Splits `total` cells into parts proportional to `weights`, `gap` cells between parts. */
export function shares(total: number, weights: readonly number[], gap: number, min: number): number[] {
  const n = weights.length;
  const avail = Math.max(total - gap * (n - 1), 0);
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const out = new Array<number>(n);
  let used = 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += weights[i];
    const end = i === n - 1 ? avail : Math.round((acc / sum) * avail);
    out[i] = Math.max(end - used, 0);
    used = end;
  }
  // Give starved parts the minimum where others can spare it.
  for (let i = 0; i < n; i++) {
    while (out[i] < min) {
      let donor = -1;
      for (let j = 0; j < n; j++) if (out[j] > min && (donor < 0 || out[j] > out[donor])) donor = j;
      if (donor < 0) break;
      out[donor]--;
      out[i]++;
    }
  }
  return out;
}

function place(n: LayoutNode, r: Rect, out: Map<number, Rect>): void {
  if (n.kind === "pane") {
    out.set(n.id, r);
    return;
  }
  if (n.dir === "h") {
    const ws = shares(r.w, n.weights, 1, MIN_PANE_W);
    let x = r.x;
    for (let i = 0; i < n.children.length; i++) {
      place(n.children[i], { x, y: r.y, w: ws[i], h: r.h }, out);
      x += ws[i] + 1;
    }
  } else {
    // Stacked panes need no gap: each pane's header separates it from the one above.
    const hs = shares(r.h, n.weights, 0, MIN_PANE_H);
    let y = r.y;
    for (let i = 0; i < n.children.length; i++) {
      place(n.children[i], { x: r.x, y, w: r.w, h: hs[i] }, out);
      y += hs[i];
    }
  }
}
