// mosh-mux settings: default prefix and key bindings, copy mode's keys, the clipboard, and the JSON config file at the XDG location.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { badKeyName, keyName } from "./key-input.js";
import type { ModeKeys } from "./scroll-view.js";

/** Commands a key after the prefix can run, with a description for the `?` help. */
export const COMMANDS: Readonly<Record<string, string>> = {
  "split-h": "split the pane left/right",
  "split-v": "split the pane top/bottom",
  "focus-left": "focus the pane to the left",
  "focus-right": "focus the pane to the right",
  "focus-up": "focus the pane above",
  "focus-down": "focus the pane below",
  "focus-next": "focus the next pane",
  close: "close the pane (asks first)",
  zoom: "zoom / unzoom the pane",
  "new-pane": "open a new pane (asks for a target)",
  "copy-mode": "copy mode: scrollback, select, copy, search (q leaves)",
  scrollback: "copy mode, a page up",
  paste: "paste what copy mode copied last",
  quit: "quit: end every session (asks while sessions are live)",
  detach: "detach: leave the sessions running (mosh-mux attach)",
  help: "show the key bindings",
  equalise: "give all panes equal space",
  "resize-left": "move the pane's border left",
  "resize-right": "move the pane's border right",
  "resize-up": "move the pane's border up",
  "resize-down": "move the pane's border down",
  "layout-even-horizontal": "preset: all panes side by side",
  "layout-even-vertical": "preset: all panes stacked",
  "layout-tiled": "preset: panes in a grid",
};

/** Default bindings (key after the prefix → command), tmux's where tmux has one. */
export const DEFAULT_BINDINGS: Readonly<Record<string, string>> = {
  "%": "split-h",
  '"': "split-v",
  Left: "focus-left",
  Right: "focus-right",
  Up: "focus-up",
  Down: "focus-down",
  o: "focus-next",
  x: "close",
  z: "zoom",
  c: "new-pane",
  "[": "copy-mode",
  PageUp: "scrollback",
  "]": "paste",
  q: "quit",
  d: "detach",
  "?": "help",
  E: "equalise",
  "C-Left": "resize-left",
  "C-Right": "resize-right",
  "C-Up": "resize-up",
  "C-Down": "resize-down",
  "M-1": "layout-even-horizontal",
  "M-2": "layout-even-vertical",
  "M-5": "layout-tiled",
};

/** mosh-mux settings. */
export interface MuxConfig {
  /** The prefix key (tmux name, default "C-b"). */
  prefix: string;
  /** Key after the prefix → command. */
  bindings: Map<string, string>;
  /** Lines of scrollback kept per pane (default 5000). */
  scrollbackLines: number;
  /** Copy mode's keys: tmux's vi table (default) or its emacs one. */
  modeKeys: ModeKeys;
  /**
   * The outer terminal's clipboard (OSC 52), as tmux's set-clipboard: `on` (default) for copy
   * mode's copies and what the sessions put there, `external` for copy mode's only, `off` never.
   */
  setClipboard: "on" | "external" | "off";
}

/** The config file's path: `$XDG_CONFIG_HOME/mosh-mux/config.json` (default `~/.config`). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "mosh-mux", "config.json");
}

/** The default settings. */
export function defaultConfig(): MuxConfig {
  return {
    prefix: "C-b",
    bindings: new Map(Object.entries(DEFAULT_BINDINGS)),
    scrollbackLines: 5000,
    modeKeys: "vi",
    setClipboard: "on",
  };
}

/**
 * Settings from a parsed JSON object: `{ "prefix": "C-a", "bindings": { "|": "split-h", "x": null },
 * "scrollbackLines": 2000, "modeKeys": "emacs", "setClipboard": "external" }` (a null binding
 * removes a default). Throws on unknown commands, key names or values, and bad types.
 */
export function parseConfig(json: unknown): MuxConfig {
  const cfg = defaultConfig();
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new Error("config must be a JSON object");
  const o = json as Record<string, unknown>;
  if (o.prefix !== undefined) {
    if (typeof o.prefix !== "string") throw new Error("prefix must be a key name such as C-a");
    cfg.prefix = keyName(o.prefix) ?? throwError(badKeyName("prefix", o.prefix));
  }
  if (o.scrollbackLines !== undefined) {
    if (
      typeof o.scrollbackLines !== "number" ||
      !Number.isInteger(o.scrollbackLines) ||
      o.scrollbackLines < 0
    )
      throw new Error("scrollbackLines must be a non-negative integer");
    cfg.scrollbackLines = o.scrollbackLines;
  }
  if (o.modeKeys !== undefined) {
    if (o.modeKeys !== "vi" && o.modeKeys !== "emacs") throw new Error('modeKeys must be "vi" or "emacs"');
    cfg.modeKeys = o.modeKeys;
  }
  if (o.setClipboard !== undefined) {
    if (o.setClipboard !== "on" && o.setClipboard !== "external" && o.setClipboard !== "off")
      throw new Error('setClipboard must be "on", "external" or "off"');
    cfg.setClipboard = o.setClipboard;
  }
  if (o.bindings !== undefined) {
    if (o.bindings === null || typeof o.bindings !== "object") throw new Error("bindings must be an object");
    for (const [name, cmd] of Object.entries(o.bindings as Record<string, unknown>)) {
      const key = keyName(name) ?? throwError(badKeyName("bindings", name));
      if (cmd === null) cfg.bindings.delete(key);
      else if (typeof cmd === "string" && cmd in COMMANDS) cfg.bindings.set(key, cmd);
      else throw new Error(`binding ${key}: unknown command ${String(cmd)}`);
    }
  }
  return cfg;
}

function throwError(err: Error): never {
  throw err;
}

/** Loads the config file (defaults if it does not exist); throws with the path on a bad file. */
export function loadConfig(path: string = configPath()): MuxConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return defaultConfig();
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  try {
    return parseConfig(JSON.parse(text));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}
