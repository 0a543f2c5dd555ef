// Datagram size budget: mosh's MTU values, per-datagram overhead and the largest fragment contents.

/** mosh's largest UDP payload on IPv4: 1280 − 20 (IP) − 8 (UDP). */
export const MTU_IPV4 = 1252;
/** mosh's largest UDP payload on IPv6: 1280 − 40 (IP) − 16 − 8 (UDP). */
export const MTU_IPV6 = 1216;
/** The initial MTU, also used again after `sendto` fails with `EMSGSIZE`. */
export const MTU_FALLBACK = 500;
/** Bytes a datagram adds around a fragment: 8 (nonce tail) + 4 (timestamps) + 16 (OCB tag). */
export const DATAGRAM_OVERHEAD = 28;
/** Bytes of a fragment header: 8 (instruction id) + 2 (final bit and fragment number). */
export const FRAGMENT_HEADER = 10;
/** The largest datagram a real mosh peer reads; larger ones are dropped ("Received oversize datagram"). */
export const MAX_DATAGRAM = 2048;

/** Largest fragment `contents` that keeps a datagram within `mtu` bytes (1214 for IPv4, 1178 for IPv6). */
export function maxFragmentContents(mtu: number): number {
  return mtu - DATAGRAM_OVERHEAD - FRAGMENT_HEADER;
}
