/**
 * YAML timestamps as sops sees them. go-yaml v3 resolves a plain scalar that parses with one of its
 * four timestamp layouts to a Go time.Time, and sops hashes an unencrypted time.Time as its
 * MarshalText (RFC 3339 with nanoseconds). kmseal keeps such a value a string (so it round-trips
 * exactly, and is encrypted as `type:str`), but must hash that text when it stays unencrypted.
 */

// The layouts of go-yaml's parseTimestamp, as Go's time.Parse reads them (1-2 digit fields,
// optional fraction after `.` or `,`, zone `Z` or ±hh:mm).
const WITH_ZONE = /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?(Z|[+-]\d\d:\d\d)$/;
const SPACED = /^(\d{4})-(\d\d?)-(\d\d?) (\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?$/;
const DATE = /^(\d{4})-(\d\d?)-(\d\d?)$/;

export type Timestamp = { readonly text: string } | { readonly error: string } | null;

/** Go's time.MarshalText of the time go-yaml reads from `s`, an error sops would hit, or null (a string). */
export function goYamlTimestamp(s: string): Timestamp {
  const m = WITH_ZONE.exec(s) ?? SPACED.exec(s) ?? DATE.exec(s);
  if (m === null) return null;
  // RegExpExecArray types its groups as string, but a group that did not take part is undefined.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((f) => (f === undefined ? undefined : Number(f))) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(month!, year!) || hour >= 24 || minute >= 60 || second >= 60) return null;
  let zone = "Z";
  const z = m[8];
  if (z !== undefined && z !== "Z") {
    const hh = Number(z.slice(1, 3));
    const mm = Number(z.slice(4, 6));
    if (hh > 24 || mm > 60) return null;
    const offset = hh * 60 + mm;
    // time.MarshalText refuses offsets of 24 hours or more; sops then fails to hash the value.
    if (offset >= 24 * 60) return { error: "timestamp with a time zone offset of 24 hours or more: sops cannot process it" };
    if (offset !== 0) zone = z[0]! + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }
  const nanos = (m[7] ?? "").slice(0, 9).padEnd(9, "0").replace(/0+$/, "");
  const fraction = nanos === "" ? "" : "." + nanos;
  return { text: `${m[1]!}-${pad(month!)}-${pad(day!)}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}${zone}` };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
