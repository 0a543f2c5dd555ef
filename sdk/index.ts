// The public API of the mosh-ts SDK.
export { MoshSession } from "./session/mosh-session.js";
export type { MoshSessionOptions, MoshSessionEvents, ExitInfo } from "./session/mosh-session.js";
export { MoshError } from "./session/errors.js";
export { SessionKey } from "./crypto/session-key.js";
export { CryptoError } from "./crypto/crypto-error.js";
export type { Frame } from "./terminal/frame.js";
export type { Clock, DatagramNetwork, DatagramSocket, Endpoint, Family } from "./transport/ports.js";
export { systemClock } from "./transport/ports.js";
export { LinkEmulator } from "./linkem/link-emulator.js";
export { VERSION, MOSH_COMPAT_VERSION } from "./version.js";
