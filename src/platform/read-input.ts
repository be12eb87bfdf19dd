/** Reading a command's input file (or stdin for `-`) with errors that name the file. */
import { readFile } from "node:fs/promises";
import { KmsealError } from "../core/errors.js";

export async function readInput(path: string, stdin?: NodeJS.ReadableStream): Promise<Buffer> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    // process.stdin is built on first access (a few ms): only when the input really is stdin.
    for await (const chunk of stdin ?? process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : code === "ELOOP"
              ? "too many symbolic links"
              : `cannot read it (${code ?? "error"})`;
    throw new KmsealError("usage", why, { file: path });
  }
}
