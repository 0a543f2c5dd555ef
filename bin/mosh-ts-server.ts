// mosh-ts-server: a drop-in for mosh-server (`mosh-ts-server new [-s] [-i IP] [-p PORT[:PORT2]] [-c COLORS] [-l NAME=VALUE]... [-v] [-- command...]`; frontend/server).
import { runMoshServer } from "../frontend/server/main.js";

void runMoshServer().then((status) => process.exit(status));
