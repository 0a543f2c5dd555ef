// The contract between the generic state-synchronisation transport and a synchronised state type.

/**
 * A state that the State Synchronization Protocol can carry. mosh's two directions differ
 * only in this type: the user's input stream (client to server) and the screen (server to client).
 *
 * States held by the transport are treated as values: the transport calls `clone()` before
 * `applyDiff()`, and never mutates a state it handed out or was handed.
 */
export interface SyncState<S> {
  /** An independent copy. */
  clone(): S;
  /** The serialised diff (protobuf bytes of UserMessage or HostMessage) taking `base` to this state; empty when equal. */
  diffFrom(base: S): Uint8Array;
  /** Applies a diff produced by `diffFrom` on the peer, in place. Throws on malformed input. */
  applyDiff(diff: Uint8Array): void;
  /** Whether the two states are equal in everything the peer sees. */
  equals(other: S): boolean;
  /**
   * Optional memory trim: forget what is already contained in `acknowledged` (mosh prunes the
   * client's input stream to events after the acknowledged state). Must not change diffs taken
   * from `acknowledged` or any newer state.
   */
  subtract?(acknowledged: S): void;
}
