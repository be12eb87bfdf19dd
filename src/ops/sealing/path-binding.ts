/**
 * The path rule: a KMS-wrapped data key is bound to the encrypted file's project-relative path.
 * Checked locally before any KMS call, so a moved or copied file fails with a useful message
 * instead of an opaque KMS InvalidCiphertextException.
 */
import { resolve } from "node:path";
import { KmsealError } from "../../core/errors.js";
import type { Metadata } from "../../core/metadata.js";
import { projectOf } from "../../config/project.js";
import { projectPath } from "../../config/project-path.js";

/** The `file` context stored in the metadata (first KMS key that has one), if any. */
export function storedPath(meta: Metadata): string | undefined {
  for (const k of meta.keys) if (k.type === "kms" && k.context?.["file"] !== undefined) return k.context["file"];
  return undefined;
}

/** The `file` context a file at `path` must carry. */
export function expectedPath(path: string, configPath?: string): string {
  const abs = resolve(path);
  return projectPath(projectOf(abs, configPath).root, abs);
}

export function checkPathBinding(meta: Metadata, path: string, opts: { as?: string | undefined; configPath?: string | undefined } = {}): void {
  const stored = storedPath(meta);
  if (stored === undefined) return;
  const actual = opts.as !== undefined ? opts.as.replace(/\\/g, "/").replace(/^\.\//, "") : expectedPath(path, opts.configPath);
  for (const k of meta.keys) {
    if (k.type !== "kms" || k.context?.["file"] === undefined || k.context["file"] === actual) continue;
    throw new KmsealError("integrity", `the file is bound to path "${k.context["file"]}" but is at "${actual}"`, {
      hint: `if it was moved, move it back or re-bind it with \`kmseal mv\`; if this copy is deliberate (e.g. in a container image), pass --as ${k.context["file"]}`,
    });
  }
}
