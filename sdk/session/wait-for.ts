// Waiting for text to appear on a session's screen.
import type { Frame } from "../terminal/frame.js";

/** Whether the screen's text (rows joined with newlines) matches `pattern`. */
export function screenMatches(frame: Frame, pattern: string | RegExp): boolean {
  const text = frame.lines().join("\n");
  return typeof pattern === "string" ? text.includes(pattern) : pattern.test(text);
}
