// The public API of the mosh-ts SDK.
export { MoshSession } from "./session/mosh-session.js";
export type { MoshSessionOptions, MoshSessionEvents, ExitInfo } from "./session/mosh-session.js";
export { MoshError } from "./session/errors.js";
export { MoshServer } from "./session/server-session.js";
export type {
  MoshServerOptions,
  MoshServerEvents,
  ServerExitInfo,
  ServerExitReason,
} from "./session/server-session.js";
export { SessionKey } from "./crypto/session-key.js";
export { CryptoError } from "./crypto/crypto-error.js";
export type { Frame } from "./terminal/frame.js";
export type { Clock, DatagramNetwork, DatagramSocket, Endpoint, Family } from "./transport/ports.js";
export { systemClock } from "./transport/ports.js";
export { LinkEmulator } from "./linkem/link-emulator.js";
export { VERSION, MOSH_COMPAT_VERSION } from "./version.js";
export { connect } from "./bootstrap/connect.js";
export type { ConnectOptions } from "./bootstrap/connect.js";
export { bootstrap } from "./bootstrap/start-server.js";
export type { BootstrapOptions, BootstrapResult } from "./bootstrap/start-server.js";
export { BootstrapError } from "./bootstrap/errors.js";
export type { BootstrapErrorCode } from "./bootstrap/errors.js";
export { ttyPrompt } from "./bootstrap/prompt.js";
export type { PromptFn } from "./bootstrap/prompt.js";
export type { ProgressEvent, ProgressListener } from "./bootstrap/progress.js";
export type { HostKeyInfo, HostVerifier } from "./bootstrap/host-key-check.js";
