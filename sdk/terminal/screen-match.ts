// Whether a screen shows a text or pattern (what MoshSession.waitFor and MuxPane.waitFor wait for).
import type { Frame } from "./frame.js";

/**
 * Whether the screen matches `pattern`. A RegExp is tested against the rows joined by newlines
 * with trailing spaces removed; a string matches if it occurs there or in the rows padded to the
 * full width (so a prompt like `"$ "` matches even though the row ends in blanks).
 */
export function screenMatches(frame: Frame, pattern: string | RegExp): boolean {
  const lines = frame.lines();
  if (typeof pattern !== "string") return pattern.test(lines.join("\n"));
  if (lines.join("\n").includes(pattern)) return true;
  return lines.some(
    (l) => l.length < frame.cols && (l + " ".repeat(frame.cols - l.length)).includes(pattern),
  );
}
