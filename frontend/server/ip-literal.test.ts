// Tests for the server's bind-address check: the same answers as net.isIP, IPv4 without loading node:net.
import { isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { isIpLiteral } from "./ip-literal.js";

describe("isIpLiteral", () => {
  it("answers as net.isIP does, for IPv4, IPv6 and names", async () => {
    const cases = [
      "127.0.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "999.0.0.1",
      "127.1",
      "01.2.3.4",
      "1.2.3.4.",
      "::1",
      "::",
      "fe80::1%lo",
      "::ffff:127.0.0.1",
      "nosuchhost",
      "localhost",
      "",
      " 127.0.0.1",
    ];
    for (const c of cases) expect(await isIpLiteral(c), c).toBe(isIP(c) !== 0);
  });
});
