import { join } from "node:path";
import { ACCOUNT_ID, adminClient, portFrom, waitUntilAnswering } from "./kms-server.js";
import type { KmsServer } from "./kms-server.js";
import { startServer } from "./server-process.js";
import { makeTempDir } from "./temp-dirs.js";

/** One request as moto's recorder saw it (the recorder logs every request before handling it). */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** KMS JSON protocol operation from X-Amz-Target (`Encrypt`, `Decrypt`, ...), if any. */
  readonly kmsOperation: string | undefined;
  /** Query protocol `Action` of a form-encoded body (STS: `GetSessionToken`, ...), if any. */
  readonly action: string | undefined;
  /** The parameters of a form-encoded (query protocol) body. */
  readonly params: Readonly<Record<string, string>>;
  /** The access key id in the SigV4 `Authorization` header: which credentials signed the request. */
  readonly signedWith: string | undefined;
  /** The `X-Amz-Security-Token` header (present when temporary credentials signed the request). */
  readonly sessionToken: string | undefined;
}

/** The moto server (KMS and STS) with its reset and request-recorder endpoints. */
export interface MotoServer extends KmsServer {
  readonly kind: "moto";
  /** Forgets every key and alias, clears the recording and starts recording again. */
  reset(): Promise<void>;
  /** Requests recorded since the last reset. */
  recorded(): Promise<RecordedRequest[]>;
  /** Just the KMS operation names recorded since the last reset, in order. */
  kmsOperations(): Promise<string[]>;
}

interface RawEntry {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  body_encoded: boolean;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function toRecorded(raw: RawEntry): RecordedRequest {
  const body = raw.body === null ? "" : raw.body_encoded ? Buffer.from(raw.body, "base64").toString("utf8") : raw.body;
  const target = header(raw.headers, "x-amz-target");
  const contentType = header(raw.headers, "content-type") ?? "";
  const params = contentType.includes("x-www-form-urlencoded") ? Object.fromEntries(new URLSearchParams(body)) : {};
  return {
    method: raw.method,
    url: raw.url,
    headers: raw.headers,
    body,
    kmsOperation: target?.startsWith("TrentService.") ? target.slice("TrentService.".length) : undefined,
    action: params["Action"],
    params,
    signedWith: /Credential=([^/]+)\//.exec(header(raw.headers, "authorization") ?? "")?.[1],
    sessionToken: header(raw.headers, "x-amz-security-token"),
  };
}

export async function startMoto(motoBin: string): Promise<MotoServer> {
  const dir = makeTempDir("moto");
  const env = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: dir,
    LANG: "C.UTF-8",
    MOTO_ACCOUNT_ID: ACCOUNT_ID,
    MOTO_RECORDER_FILEPATH: join(dir, "recording.jsonl"),
  };
  const proc = startServer("moto_server", motoBin, ["-H", "127.0.0.1", "-p", "0"], env, dir);
  let port: number;
  try {
    port = portFrom(await proc.waitFor(/Running on http:\/\/127\.0\.0\.1:(\d+)/, 30_000));
  } catch (e) {
    await proc.stop();
    throw e;
  }
  const url = `http://127.0.0.1:${port}`;
  const kms = adminClient(url);

  const post = async (path: string): Promise<string> => {
    const res = await fetch(`${url}${path}`, { method: "POST" });
    const text = await res.text();
    if (!res.ok) throw new Error(`moto ${path}: HTTP ${res.status} ${text}`);
    return text;
  };

  const server: MotoServer = {
    kind: "moto",
    url,
    pgid: proc.pgid,
    kms,
    async reset() {
      await post("/moto-api/reset");
      await post("/moto-api/recorder/reset-recording");
      await post("/moto-api/recorder/start-recording");
    },
    async recorded() {
      const text = await post("/moto-api/recorder/download-recording");
      return text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => toRecorded(JSON.parse(line) as RawEntry));
    },
    async kmsOperations() {
      return (await server.recorded()).flatMap((r) => (r.kmsOperation === undefined ? [] : [r.kmsOperation]));
    },
    async stop() {
      kms.destroy();
      await proc.stop();
    },
  };
  try {
    await waitUntilAnswering(kms, "moto_server", 30_000);
    await server.reset();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}
