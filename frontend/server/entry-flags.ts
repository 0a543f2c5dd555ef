// The hidden first arguments that choose how mosh-ts-server runs (one process, or the session process of two), apart from the code of each way so that the program loads only the way it takes.

/**
 * The argument (after the program's path) that runs mosh-ts-server as one process. The program's
 * sh preamble passes it after starting Node in a new session (`setsid`), and reads the exit status
 * from fd 3, which this process closes once MOSH CONNECT and the banner are out.
 */
export const DIRECT_FLAG = "--session-direct";

/** The argument that makes the program run as the detached session process (set by the first process). */
export const DAEMON_FLAG = "--session-daemon";
