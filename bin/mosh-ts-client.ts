// mosh-ts-client: a drop-in for mosh-client (`mosh-ts-client [-# 'ARGS'] IP PORT`, key in MOSH_KEY; frontend/client).
import { runMoshClient } from "../frontend/client/main.js";

void runMoshClient();
