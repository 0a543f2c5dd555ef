// mosh-ts: like `mosh [options] [user@]host [command...]`, with SSH done in-process (frontend/mosh-ts).
import { runMoshTs } from "../frontend/mosh-ts/main.js";

runMoshTs();
