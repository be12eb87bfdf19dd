/**
 * Where age identities come from, and the local identity `kmseal keygen` creates. Order: kmseal's
 * variables, then sops's (so a sops user's setup just works), then the key files on disk.
 */
import { chmod, mkdir, open, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { KmsealError } from "../../core/errors.js";
import { loadAge } from "./typage.js";
import { generateX25519Identity, x25519RecipientOf } from "./x25519.js";
import { looksLikeSshPrivateKey, parseSshIdentity, type SshIdentity } from "./ssh.js";

export type Env = Readonly<Record<string, string | undefined>>;

function configHome(env: Env): string {
  return env["XDG_CONFIG_HOME"] || join(env["HOME"] || homedir(), ".config");
}

/** ~/.config/kmseal/age/keys.txt (XDG_CONFIG_HOME honoured). */
export function localIdentityPath(env: Env = process.env): string {
  return join(configHome(env), "kmseal", "age", "keys.txt");
}

export function parseIdentities(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\s+/)) {
    const line = raw.trim();
    if (line.startsWith("AGE-SECRET-KEY-") || line.startsWith("AGE-PLUGIN-")) out.push(line);
  }
  return out;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new KmsealError("key", `cannot read age identity file ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

/** Every identity available to this process. Files named by variables must exist. */
export async function loadIdentities(env: Env = process.env): Promise<string[]> {
  const out: string[] = [];
  for (const name of ["KMSEAL_AGE_KEY", "SOPS_AGE_KEY"]) {
    const v = env[name];
    if (v) out.push(...parseIdentities(v));
  }
  for (const name of ["KMSEAL_AGE_KEY_FILE", "SOPS_AGE_KEY_FILE"]) {
    const path = env[name];
    if (!path) continue;
    const text = await readIfExists(path);
    if (text === null)
      throw new KmsealError("key", `${name} names ${path}, which does not exist`, { hint: `create it with \`kmseal keygen -o ${path}\`, or unset ${name}` });
    out.push(...parseIdentities(text));
  }
  for (const path of [localIdentityPath(env), join(configHome(env), "sops", "age", "keys.txt")]) {
    const text = await readIfExists(path);
    if (text !== null) out.push(...parseIdentities(text));
  }
  return [...new Set(out)];
}

export interface GeneratedIdentity {
  readonly path: string;
  readonly recipient: string;
}

/** Creates an identity file (0600 in a 0700 folder); refuses to replace an existing one. */
export async function createIdentityFile(path: string, now: Date = new Date()): Promise<GeneratedIdentity> {
  const identity = generateX25519Identity();
  const recipient = x25519RecipientOf(identity)!;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let handle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new KmsealError("usage", `${path} already exists`, {
        hint: "kmseal keygen never replaces an identity; move the old file away first, or pass -o PATH",
      });
    }
    throw err;
  }
  try {
    await handle.writeFile(`# created: ${now.toISOString().replace(/\.\d+Z$/, "Z")}\n# public key: ${recipient}\n${identity}\n`);
  } finally {
    await handle.close();
  }
  await chmod(path, 0o600);
  return { path, recipient };
}

/**
 * The recipients of the identities in an identity file (`kmseal keygen --show`), in file order; null
 * when there is no such file. A plugin identity (AGE-PLUGIN-…) is listed apart: only its plugin
 * knows its recipient.
 */
export async function identityFileRecipients(path: string): Promise<{ recipients: string[]; plugin: string[] } | null> {
  const text = await readIfExists(path);
  if (text === null) return null;
  const recipients: string[] = [];
  const plugin: string[] = [];
  for (const identity of parseIdentities(text)) {
    if (identity.startsWith("AGE-PLUGIN-")) plugin.push(/^AGE-PLUGIN-([A-Z0-9._+-]+?)-1/.exec(identity)?.[1]?.toLowerCase() ?? "?");
    else recipients.push(x25519RecipientOf(identity) ?? (await (await loadAge()).identityToRecipient(identity)));
  }
  return { recipients, plugin };
}

/** The recipient of the local identity, or null when there is none. */
export async function localRecipient(env: Env = process.env): Promise<string | null> {
  return (await identityFileRecipients(localIdentityPath(env)))?.recipients[0] ?? null;
}

/**
 * The SSH private keys sops would use as age identities: the files named by
 * KMSEAL_AGE_SSH_PRIVATE_KEY_FILE and SOPS_AGE_SSH_PRIVATE_KEY_FILE (they must exist and be usable),
 * then ~/.ssh/id_ed25519 and ~/.ssh/id_rsa when they are there. A default key age cannot use (an
 * ECDSA key, a passphrase-protected PEM file) is passed over: it was never asked for.
 */
export async function loadSshIdentities(env: Env = process.env): Promise<SshIdentity[]> {
  const out: SshIdentity[] = [];
  for (const name of ["KMSEAL_AGE_SSH_PRIVATE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_FILE"]) {
    const path = env[name];
    if (!path) continue;
    const text = await readIfExists(path);
    if (text === null)
      throw new KmsealError("key", `${name} names ${path}, which does not exist`, { hint: `point ${name} at an SSH private key, or unset it` });
    try {
      out.push(parseSshIdentity(text, `${path} (${name})`));
    } catch (err) {
      throw new KmsealError("key", `${name} names ${path}, which age cannot use: ${(err as Error).message}`, {
        hint: "age reads unencrypted ssh-ed25519 and ssh-rsa keys (OpenSSH or PEM)",
      });
    }
  }
  const ssh = join(env["HOME"] || homedir(), ".ssh");
  for (const file of ["id_ed25519", "id_rsa"]) {
    const path = join(ssh, file);
    const text = await readIfExists(path).catch(() => null);
    if (text === null || !looksLikeSshPrivateKey(text)) continue;
    try {
      out.push(parseSshIdentity(text, path));
    } catch {
      // see above: a default key age cannot use is not an error
    }
  }
  return out;
}
