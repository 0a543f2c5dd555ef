// Test-only: drives the mosh-mux TUI (MuxApp) without a terminal or a background process: the fake surface, and a fake connection the test plays the server's messages into.
import { EventEmitter } from "eventemitter3";
import type { MuxConnection } from "../sdk/mux/connection.js";
import {
  type ClientMessage,
  encodeRow,
  FrameEncoder,
  type MuxPaneInfo,
  type ServerMessage,
} from "../sdk/mux/protocol.js";
import { Frame, type FrameState, INITIAL_STATE, type Row, RowBuilder } from "../sdk/terminal/frame.js";
import { wcwidth } from "../sdk/terminal/wcwidth.js";
import { defaultConfig, type MuxConfig } from "./config.js";
import { FakeSurface } from "./fake-surface.fixture.js";
import { MuxApp } from "./mux-app.js";

/** A row of text (wide characters take two cells). */
export function textRow(text: string, cols: number): Row {
  const b = new RowBuilder(cols);
  let x = 0;
  for (const ch of text) {
    const w = wcwidth(ch.codePointAt(0) ?? 0) === 2 ? 2 : 1;
    if (x + w > cols) break;
    b.setCell(x, ch, w);
    x += w;
  }
  return b.build();
}

/** A frame showing `lines`, its cursor after the last one. */
export function textFrame(
  lines: string[],
  cols: number,
  rows: number,
  state: Partial<FrameState> = {},
): Frame {
  const grid = Array.from({ length: rows }, (_, y) => textRow(lines[y] ?? "", cols));
  const last = Math.min(lines.length, rows) - 1;
  return new Frame(cols, rows, grid, {
    ...INITIAL_STATE,
    cursorRow: Math.max(last, 0),
    cursorCol: last >= 0 ? [...(lines[last] ?? "")].length : 0,
    ...state,
  });
}

/** A pane's info as the server sends it. */
export function paneInfo(id: number, o: Partial<MuxPaneInfo> = {}): MuxPaneInfo {
  return {
    id,
    label: `local:${id}`,
    source: { kind: "local" },
    state: "live",
    rtt: 3,
    stalledSince: null,
    stallKind: "contact",
    roams: 0,
    error: "",
    notes: [],
    cols: 40,
    rows: 10,
    focused: false,
    scrollback: 0,
    scrollbackLimit: 5000,
    ...o,
  };
}

class FakeConnection extends EventEmitter<{ message: (m: ServerMessage) => void; close: () => void }> {
  readonly sent: ClientMessage[] = [];
  readonly welcome = { t: "welcome", v: 1, version: "test", pid: 1, name: "default", created: 0 } as const;
  closed = false;

  send(m: ClientMessage): void {
    this.sent.push(m);
  }

  request(m: ClientMessage): Promise<ServerMessage> {
    this.sent.push(m);
    return Promise.resolve({ t: "ok", id: 0 });
  }

  close(): void {
    this.closed = true;
  }
}

/** The app, its terminal, its connection, and helpers to play the server and type. */
export interface AppHarness {
  app: MuxApp;
  term: FakeSurface;
  /** What the app sent the server. */
  sent: ClientMessage[];
  /** Plays a message from the server. */
  server(m: ServerMessage): void;
  /** Sets pane `id`'s screen. */
  frame(id: number, frame: Frame): void;
  /** Adds rows to pane `id`'s scrollback. */
  scroll(id: number, lines: string[], cols?: number): void;
  /** Types raw input (keys, mouse reports). */
  type(data: string): Promise<void>;
  /** Lets the app draw. */
  settle(): Promise<void>;
  /** The input the app sent to pane `pane` (undefined: to the focused pane, by name or not), concatenated. */
  input(pane?: number): string;
  end(): void;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));

/**
 * A MuxApp on a `cols`x`rows` fake terminal with panes laid out side by side (each `w` wide,
 * borders between), every pane's screen blank; pane `focus` focused.
 */
export async function appHarness(
  o: { cols?: number; rows?: number; panes?: number; focus?: number; config?: Partial<MuxConfig> } = {},
): Promise<AppHarness> {
  const cols = o.cols ?? 81;
  const rows = o.rows ?? 12;
  const n = o.panes ?? 2;
  const term = new FakeSurface(cols, rows);
  const conn = new FakeConnection();
  let typed: (data: string) => void = () => undefined;
  const app = new MuxApp({
    conn: conn as unknown as MuxConnection,
    config: { ...defaultConfig(), ...o.config },
    frameIntervalMs: 0,
    surface: (onInput) => {
      typed = onInput;
      return term;
    },
  });
  void app.run();
  const encoders = new Map<number, FrameEncoder>();
  const server = (m: ServerMessage): void => {
    conn.emit("message", m);
  };
  const w = Math.floor((cols - (n - 1)) / n);
  const rects: Array<[number, number, number, number, number]> = [];
  for (let i = 0; i < n; i++) rects.push([i + 1, i * (w + 1), 0, w, rows - 1]);
  server({
    t: "layout",
    cols,
    rows,
    focus: o.focus ?? 1,
    zoomed: null,
    order: rects.map((r) => r[0]),
    rects,
  });
  const frame = (id: number, f: Frame): void => {
    let enc = encoders.get(id);
    if (!enc) {
      enc = new FrameEncoder();
      encoders.set(id, enc);
    }
    const msg = enc.encode(id, f);
    if (msg) server(msg);
  };
  for (const [id, , , pw, ph] of rects) {
    server({ t: "pane", info: paneInfo(id, { cols: pw, rows: ph - 1, focused: id === (o.focus ?? 1) }) });
    frame(id, textFrame([], pw, ph - 1));
  }
  const h: AppHarness = {
    app,
    term,
    sent: conn.sent,
    server,
    frame,
    scroll(id, lines, c = w) {
      server({ t: "scroll", pane: id, rows: lines.map((l) => encodeRow(textRow(l, c))) });
    },
    async type(data) {
      typed(data);
      await tick();
    },
    settle: tick,
    input(pane) {
      const focus = o.focus ?? 1;
      return conn.sent
        .filter(
          (m): m is Extract<ClientMessage, { t: "input" }> =>
            m.t === "input" &&
            (pane === undefined ? m.pane === undefined || m.pane === focus : m.pane === pane),
        )
        .map((m) => m.data)
        .join("");
    },
    end() {
      app.detach();
    },
  };
  await tick();
  return h;
}
