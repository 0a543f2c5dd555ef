// Whether a bind address is a numeric IP address, as mosh-server's getaddrinfo(AI_NUMERICHOST) requires: dotted IPv4 at once, anything else through node:net (loaded only then).

/** Node's own dotted-quad rule (`net.isIPv4`): four decimal parts 0-255, no leading zeros. */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;

/** Whether `address` is an IPv4 or IPv6 literal (as `net.isIP(address) !== 0`). */
export async function isIpLiteral(address: string): Promise<boolean> {
  if (IPV4.test(address)) return true;
  const { isIP } = await import("./node-net.js");
  return isIP(address) !== 0;
}
