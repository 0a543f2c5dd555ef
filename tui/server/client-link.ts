// One client of the mosh-mux background process: its socket, what it watches, and what it was last sent (so only changes go out, and none while it is slow).
import type { Socket } from "node:net";
import { MuxError } from "../../sdk/mux/errors.js";
import {
  type ClientMessage,
  decodeMessage,
  encodeMessage,
  FrameEncoder,
  LineReader,
  type ServerMessage,
} from "../../sdk/mux/protocol.js";

/** What a client follows of one pane, and what it got last. */
export interface PaneWatch {
  /** Screens with overlays (predictions, notification bar), as a person sees them. */
  overlay: boolean;
  readonly encoder: FrameEncoder;
  /** The pane info last sent (as JSON), to send only changes. */
  info: string;
  /** For views: the scrollback row number (ever pushed) the client has up to. */
  scrollbackSent: number;
}

/** A connected client. */
export class ClientLink {
  readonly #socket: Socket;
  readonly #reader = new LineReader();
  #closed = false;
  /** It said hello with our protocol version. */
  greeted = false;
  /** It attached as a view (the TUI): it follows every pane and the layout, and its size counts. */
  view = false;
  /** Its terminal size (views). */
  cols = 80;
  rows = 24;
  /** When it was last active (attached, resized, typed): the latest view's size sets the layout. */
  activeAt = 0;
  /** The panes it follows. */
  readonly watches = new Map<number, PaneWatch>();
  /** The layout and question list last sent (as JSON). */
  layoutSent = "";
  questionsSent = "";

  constructor(
    socket: Socket,
    onMessage: (msg: ClientMessage) => void,
    onClose: () => void,
    onDrain: () => void,
  ) {
    this.#socket = socket;
    socket.setEncoding("utf8");
    socket.setNoDelay?.(true);
    socket.on("data", (chunk: string) => {
      let lines: string[];
      try {
        lines = this.#reader.push(chunk);
      } catch (err) {
        this.fail(err as MuxError);
        return;
      }
      for (const line of lines) {
        if (this.#closed) return;
        if (line.length === 0) continue;
        let msg: ClientMessage;
        try {
          msg = decodeMessage<ClientMessage>(line);
        } catch (err) {
          this.fail(err as MuxError);
          return;
        }
        onMessage(msg);
      }
    });
    socket.on("drain", onDrain);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.#closed = true;
      onClose();
    });
  }

  /** Whether the socket is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether its socket buffer is full: nothing more is encoded for it until it drains. */
  get congested(): boolean {
    return this.#socket.writableNeedDrain;
  }

  /** Follows a pane (again: from a blank screen). */
  watch(pane: number, overlay: boolean): PaneWatch {
    const w: PaneWatch = { overlay, encoder: new FrameEncoder(), info: "", scrollbackSent: -1 };
    this.watches.set(pane, w);
    return w;
  }

  /** Sends a message. */
  send(msg: ServerMessage): void {
    if (this.#closed) return;
    this.#socket.write(encodeMessage(msg));
  }

  /** Sends an error and closes (a client that does not speak the protocol). */
  fail(err: MuxError): void {
    this.send({ t: "error", code: err.code, message: err.message });
    this.end();
  }

  /** Closes the connection once what was sent is written. */
  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
  }
}

/** A MuxError for a request the server cannot do. */
export function refused(message: string): MuxError {
  return new MuxError("refused", message);
}
