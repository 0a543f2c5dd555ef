// The error type of the mosh-mux socket: one stable code per way talking to the background process can fail.

/** Why talking to a mosh-mux background process failed. */
export type MuxErrorCode =
  /** No server listens on the socket (none started, or it exited). */
  | "no-server"
  /** A server already listens on the socket (`mosh-mux new` refuses to start a second one). */
  | "exists"
  /** The socket or its directory could be reached by another user (wrong owner or loose permissions). */
  | "unsafe-socket"
  /** A bad socket name, pane id or command. */
  | "bad-argument"
  /** The server speaks another protocol version (it was started by another mosh-ts version). */
  | "version"
  /** The peer sent something that is not the protocol (a bad line, an unknown message). */
  | "protocol"
  /** The connection closed (the server exited, or {@link MuxClient.close} was called). */
  | "closed"
  /** The server could not be started. */
  | "start-failed"
  /** The server refused a request (for example a pane that does not exist); see the message. */
  | "refused"
  /** A wait ran out of time. */
  | "timeout";

/** A failure of the mosh-mux socket protocol or of a request to the background process. */
export class MuxError extends Error {
  override readonly name = "MuxError";
  constructor(
    /** A stable machine-readable reason. */
    readonly code: MuxErrorCode,
    message: string,
  ) {
    super(message);
  }
}
