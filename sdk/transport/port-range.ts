// UDP port ranges as mosh's programs take them (`PORT` or `LOW:HIGH`): the one result their parsers share.

/** An inclusive range of UDP ports; `[0, 0]` lets the OS choose. */
export type PortRange = [number, number];

/** What a port-range parser returns: the range, or the error line the program prints for it. */
export type PortRangeParse = { range: PortRange } | { error: string };
