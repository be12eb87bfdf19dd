/** A path relative to the project root with `/` separators: the form the `file` context stores. */
import { relative, sep } from "node:path";

export function projectPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join("/");
}
