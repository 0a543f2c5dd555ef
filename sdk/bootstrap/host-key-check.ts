// Host-key verification with OpenSSH's policy and wording: known_hosts lookup, StrictHostKeyChecking, asking, recording.
import { BootstrapError } from "./errors.js";
import {
  appendKnownHost,
  blobKeyType,
  checkHostKey,
  type KnownHostEntry,
  keyTypeLabel,
  knownHostsName,
  readKnownHosts,
  sha256Fingerprint,
} from "./known-hosts.js";
import type { MessageListener } from "./progress.js";
import type { PromptFn } from "./prompt.js";
import type { StrictHostKeyChecking } from "./ssh-config.js";

/** The host key a server presented, with what is needed to judge it. */
export interface HostKeyInfo {
  /** The host name the key is checked for (`HostKeyAlias`, or the host name). */
  host: string;
  port: number;
  /** The name looked up in known_hosts: `host`, or `[host]:port`. */
  knownHostsName: string;
  /** The numeric address the connection reached, or "" when it went through a proxy. */
  address: string;
  /** Key type from the blob, e.g. `ssh-ed25519`. */
  keyType: string;
  /** `SHA256:...` as OpenSSH prints it. */
  fingerprint: string;
  /** The raw public key blob. */
  blob: Buffer;
}

/**
 * A caller-supplied host-key check that replaces known_hosts entirely (for tools that pin keys
 * themselves). Return true to accept.
 */
export type HostVerifier = (info: HostKeyInfo) => boolean | Promise<boolean>;

/** How to judge host keys: the resolved config plus the ways to talk to the user. */
export interface HostKeyPolicy {
  strict: StrictHostKeyChecking;
  userKnownHostsFiles: readonly string[];
  globalKnownHostsFiles: readonly string[];
  hashKnownHosts: boolean;
  batchMode: boolean;
  prompt?: PromptFn;
  onMessage?: MessageListener;
  hostVerifier?: HostVerifier;
}

/** What a passed verification implies for the rest of the connection. */
export interface HostKeyOutcome {
  /**
   * True when a changed key was let through because StrictHostKeyChecking is `no`: as OpenSSH
   * does, password and keyboard-interactive authentication must then be disabled.
   */
  restrictAuth: boolean;
}

/** Builds the {@link HostKeyInfo} for a presented key. */
export function hostKeyInfo(host: string, port: number, address: string, blob: Buffer): HostKeyInfo {
  const keyType = blobKeyType(blob);
  return {
    host,
    port,
    knownHostsName: knownHostsName(host, port),
    address,
    keyType,
    fingerprint: sha256Fingerprint(blob),
    blob,
  };
}

const HASH_LINE = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@";
const FAILED = "Host key verification failed.";

/**
 * Verifies a host key. Resolves when the connection may proceed; rejects with a
 * {@link BootstrapError} (`host-key-changed`, `host-key-revoked`, `host-key-rejected`) otherwise.
 * Nothing is written to known_hosts unless the key was unknown and accepted.
 */
export async function verifyHostKey(info: HostKeyInfo, policy: HostKeyPolicy): Promise<HostKeyOutcome> {
  if (policy.hostVerifier) {
    if (await policy.hostVerifier(info)) return { restrictAuth: false };
    throw new BootstrapError("host-key-rejected", `${FAILED} (rejected by the host verifier)`);
  }
  const entries: KnownHostEntry[] = [];
  for (const f of [...policy.userKnownHostsFiles, ...policy.globalKnownHostsFiles])
    entries.push(...readKnownHosts(f));
  const verdict = checkHostKey(entries, info.knownHostsName, info.blob);
  const label = keyTypeLabel(info.keyType);
  const name = info.knownHostsName;

  switch (verdict.status) {
    case "known":
      return { restrictAuth: false };
    case "revoked":
      throw new BootstrapError(
        "host-key-revoked",
        `${HASH_LINE}\n@       WARNING: REVOKED HOST KEY DETECTED!               @\n${HASH_LINE}\n` +
          `The ${label} host key for ${name} is marked as revoked.\n` +
          "This could mean that a stolen key is being used to\nimpersonate this host.\n" +
          `${label} host key for ${name} was revoked and you have requested strict checking.\n${FAILED}`,
        { file: verdict.entry.file, line: verdict.entry.line },
      );
    case "changed": {
      const e = verdict.entry;
      const userFile = policy.userKnownHostsFiles[0] ?? e.file;
      const warning =
        `${HASH_LINE}\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n${HASH_LINE}\n` +
        "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n" +
        "Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n" +
        "It is also possible that a host key has just been changed.\n" +
        `The fingerprint for the ${label} key sent by the remote host is\n${info.fingerprint}.\n` +
        "Please contact your system administrator.\n" +
        `Add correct host key in ${userFile} to get rid of this message.\n` +
        `Offending ${keyTypeLabel(e.keyType)} key in ${e.file}:${e.line}\n` +
        `  remove with:\n  ssh-keygen -f "${e.file}" -R "${name}"`;
      if (policy.strict === "no") {
        policy.onMessage?.(
          `${warning}\nPassword authentication is disabled to avoid man-in-the-middle attacks.\n` +
            "Keyboard-interactive authentication is disabled to avoid man-in-the-middle attacks.",
        );
        return { restrictAuth: true };
      }
      throw new BootstrapError(
        "host-key-changed",
        `${warning}\nHost key for ${name} has changed and you have requested strict checking.\n${FAILED}`,
        { file: e.file, line: e.line, fingerprint: info.fingerprint },
      );
    }
    case "unknown":
      break;
  }

  if (policy.strict === "yes") {
    throw new BootstrapError(
      "host-key-rejected",
      `No ${label} host key is known for ${name} and you have requested strict checking.\n${FAILED}`,
    );
  }
  if (policy.strict === "ask") {
    if (policy.batchMode || !policy.prompt) throw new BootstrapError("host-key-rejected", FAILED);
    const shown = info.address ? `${name} (${knownHostsName(info.address, info.port)})` : name;
    let question =
      `The authenticity of host '${shown}' can't be established.\n` +
      `${label} key fingerprint is ${info.fingerprint}.\n` +
      "Are you sure you want to continue connecting (yes/no)? ";
    for (let tries = 0; ; tries++) {
      const answer = (await policy.prompt(question, { echo: true })).trim();
      if (answer.toLowerCase() === "yes" || answer === info.fingerprint) break;
      if (answer.toLowerCase() === "no" || tries >= 9) throw new BootstrapError("host-key-rejected", FAILED);
      question = "Please type 'yes', 'no' or the fingerprint: ";
    }
  }
  const file = policy.userKnownHostsFiles[0];
  if (file === undefined) return { restrictAuth: false };
  try {
    appendKnownHost(file, name, info.blob, policy.hashKnownHosts);
    policy.onMessage?.(`Warning: Permanently added '${name}' (${label}) to the list of known hosts.`);
  } catch {
    policy.onMessage?.(`Failed to add the host to the list of known hosts (${file}).`);
  }
  return { restrictAuth: false };
}
