// The public API of the mosh-ts SDK.

export type { ConnectOptions } from "./bootstrap/connect.js";
export { connect } from "./bootstrap/connect.js";
export { BootstrapError } from "./bootstrap/errors.js";
export type { HostKeyInfo, HostVerifier } from "./bootstrap/host-key-check.js";
export type { ProgressEvent, ProgressListener } from "./bootstrap/progress.js";
export type { PromptFn } from "./bootstrap/prompt.js";
export { ttyPrompt } from "./bootstrap/prompt.js";
export type { BootstrapOptions, BootstrapResult } from "./bootstrap/start-server.js";
export { bootstrap } from "./bootstrap/start-server.js";
export type {
  EchoPreview,
  ExitInfo,
  MoshSessionEvents,
  MoshSessionOptions,
  PredictInfo,
  ScreenOptions,
} from "./client/mosh-session.js";
export { MoshSession } from "./client/mosh-session.js";
export { CryptoError } from "./crypto/crypto-error.js";
export { SessionKey } from "./crypto/session-key.js";
export type {
  BootstrapErrorCode,
  CryptoErrorCode,
  MoshErrorCode,
  SessionErrorCode,
  TransportErrorCode,
} from "./errors.js";
export { MoshError } from "./errors.js";
export { LinkEmulator } from "./linkem/link-emulator.js";
export type { MuxErrorCode } from "./mux/errors.js";
export { MuxError } from "./mux/errors.js";
export type { MuxClientEvents, MuxClientOptions, MuxPaneEvents } from "./mux/mux-client.js";
export { MuxClient, MuxPane } from "./mux/mux-client.js";
export type { MuxPaneInfo, MuxPaneSource, MuxPaneState, MuxQuestion } from "./mux/protocol.js";
export type { MessageOptions, NotificationEngineOptions } from "./predict/notification-engine.js";
export { NotificationEngine } from "./predict/notification-engine.js";
export type {
  DisplayPreference,
  PredictionEngineOptions,
  PredictionStats,
  PrintPreview,
} from "./predict/prediction-engine.js";
export { DISPLAY_PREFERENCES, PredictionEngine } from "./predict/prediction-engine.js";
export type {
  MoshServerEvents,
  MoshServerOptions,
  ServerExitInfo,
  ServerExitReason,
} from "./server/mosh-server.js";
export { MoshServer } from "./server/mosh-server.js";
export type {
  Color,
  DecodedColor,
  FrameState,
  MouseEncoding,
  MouseMode,
} from "./terminal/frame.js";
export {
  ATTR_MASK,
  Attr,
  DEFAULT_COLOR,
  decodeColor,
  Frame,
  PALETTE,
  paletteColor,
  RGB,
  Row,
  rgbColor,
} from "./terminal/frame.js";
export type { Clock, DatagramNetwork, DatagramSocket, Endpoint, Family } from "./transport/ports.js";
export { systemClock } from "./transport/ports.js";
export { TransportError } from "./transport/transport-error.js";
export { MOSH_COMPAT_VERSION, VERSION } from "./version.js";
export { WireError } from "./wire/wire-error.js";
