// mosh-mux: many mosh sessions tiled in one terminal, kept by a background process you detach from and attach to (tui/).
import { runMuxCli } from "../tui/mux-cli.js";

await runMuxCli();
