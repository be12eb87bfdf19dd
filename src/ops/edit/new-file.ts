/**
 * `kmseal edit` of a file that does not exist creates it, and only under an encrypted name: sealing
 * `secrets/new.yaml` would leave ciphertext under the plaintext name, which .gitignore hides, while
 * `secrets/new.enc.yaml` is the name every other command, status and check expect.
 */
import { existsSync } from "node:fs";
import { UsageError } from "../../core/errors.js";
import { encryptedName, isEncryptedName } from "../../stores/file-name.js";

export function checkNewFileName(file: string): void {
  if (isEncryptedName(file)) return;
  const sealed = encryptedName(file);
  const hint = existsSync(sealed) ? `it is encrypted as ${sealed}: kmseal edit ${sealed}` : `to create it, name it so: kmseal edit ${sealed}`;
  throw new UsageError(`does not exist, and kmseal edit creates new files under their encrypted name only (${sealed})`, { hint });
}
