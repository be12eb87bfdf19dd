/**
 * The line break a text file uses. Every store and text editor writes new lines (the `sops` block,
 * an added key) with the file's own break, so a CRLF file stays CRLF; they must all decide it the
 * same way: any CRLF in the text makes it a CRLF file.
 */
export function eolOf(text: string): "\r\n" | "\n" {
  return text.includes("\r\n") ? "\r\n" : "\n";
}
