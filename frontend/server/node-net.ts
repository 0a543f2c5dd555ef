// Node's net module in a module of its own, so that mosh-ts-server loads it only for a bind address that is not a dotted IPv4 one.
export { isIP } from "node:net";
