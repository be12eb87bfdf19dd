/**
 * A loopback HTTP proxy in front of a KMS emulator that injects faults per request: drop the
 * connection, delay, answer 5xx or ThrottlingException, or never answer. It records each KMS
 * operation it saw, so tests can count the client's retries.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  { kind: "pass" } | { kind: "drop" } | { kind: "delay"; ms: number } | { kind: "status"; status: number } | { kind: "throttle" } | { kind: "hang" };

/** Decides the fault for the n-th request (0-based) of an operation (`Encrypt`, `Decrypt`, ...). */
export type FaultPlan = (operation: string, n: number) => Fault;

export interface FaultProxy {
  readonly url: string;
  /** Operations in arrival order, each with the fault it got. */
  readonly seen: { operation: string; fault: Fault["kind"] }[];
  plan: FaultPlan;
  /** Forgets the counts and the record, and passes everything until a new plan is set. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const target = new URL(upstream);
  const proxy: FaultProxy = {
    url: "",
    seen: [],
    plan: () => ({ kind: "pass" }),
    reset: () => {
      counts.clear();
      proxy.seen.length = 0;
      proxy.plan = () => ({ kind: "pass" });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", () => res.destroy());
    out.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.startsWith("TrentService.") ? target.slice("TrentService.".length) : target || req.url || "?";
      const n = counts.get(operation) ?? 0;
      counts.set(operation, n + 1);
      const fault = proxy.plan(operation, n);
      proxy.seen.push({ operation, fault: fault.kind });
      const body = Buffer.concat(chunks);
      switch (fault.kind) {
        case "pass": {
          forward(req, body, res);
          return;
        }
        case "drop":
          return req.socket.destroy();
        case "hang":
          return; // the socket stays open; close() or the client's timeout ends it
        case "delay":
          return void setTimeout(() => {
            forward(req, body, res);
          }, fault.ms);
        case "status":
          res.writeHead(fault.status, { "content-type": "application/x-amz-json-1.1" });
          return void res.end(JSON.stringify({ __type: "KMSInternalException", message: "injected server error" }));
        case "throttle":
          res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
          return void res.end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
      }
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** A plan that applies `fault` to the first `times` requests of `operation` and passes the rest. */
export function faultFirst(operation: string, fault: Fault, times: number): FaultPlan {
  return (op, n) => (op === operation && n < times ? fault : { kind: "pass" });
}
