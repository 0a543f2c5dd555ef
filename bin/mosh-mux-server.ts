// mosh-mux's background process (dist/bin/mosh-mux-server.js, started by mosh-mux, not a command of its own; tui/server).
import { runMuxServer } from "../tui/server/main.js";

await runMuxServer();
