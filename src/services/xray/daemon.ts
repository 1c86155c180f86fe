// The X-Ray daemon's UDP endpoint: what the X-Ray SDKs send segments to (AWS_XRAY_DAEMON_ADDRESS).
// Each datagram is a header line `{"format":"json","version":1}` and one segment document; they are
// stored as PutTraceSegments would store them, in the default account and region.
import { createSocket, type Socket } from 'node:dgram';
import { DEFAULT_ACCOUNT, type Runtime } from '../../kit.js';

export interface Daemon {
  /** `127.0.0.1:<port>` once listening */
  address(): string | undefined;
  close(): void;
}

/** Port 2000 beside Nimbus's usual 4566 (or NIMBUS_XRAY_DAEMON_PORT); otherwise one the system picks. */
export function daemonPort(nimbusPort: number, env: NodeJS.ProcessEnv = process.env): { port: number; fixed: boolean } {
  const set = env.NIMBUS_XRAY_DAEMON_PORT;
  if (set !== undefined && /^\d+$/.test(set) && Number(set) < 65536) return { port: Number(set), fixed: true };
  return nimbusPort === 4566 ? { port: 2000, fixed: false } : { port: 0, fixed: false };
}

/** Splits a datagram into its segment document, or undefined when the header is not X-Ray's. */
export function readDatagram(msg: Buffer): string | undefined {
  const text = msg.toString('utf8');
  const nl = text.indexOf('\n');
  if (nl < 0) return undefined;
  try {
    const header = JSON.parse(text.slice(0, nl)) as { format?: string; version?: number };
    if (header.format !== 'json' || header.version !== 1) return undefined;
  } catch {
    return undefined;
  }
  const body = text.slice(nl + 1).trim();
  return body.length ? body : undefined;
}

export function startDaemon(rt: Runtime, put: (account: string, region: string, docs: string[]) => unknown): Daemon {
  let socket: Socket | undefined;
  let bound: string | undefined;
  const listen = (port: number, fallback: boolean) => {
    const s = createSocket('udp4');
    socket = s;
    s.on('message', (msg) => {
      const doc = readDatagram(msg);
      if (!doc) return rt.log.debug?.('xray daemon: a datagram without the X-Ray header was dropped');
      try {
        put(DEFAULT_ACCOUNT, rt.config.defaultRegion, [doc]);
      } catch (e) {
        rt.log.warn(`xray daemon: ${(e as Error).message}`);
      }
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      s.close();
      if (fallback && !bound) return listen(0, false);
      rt.log.warn(`xray daemon: UDP endpoint not served: ${e.message}`);
    });
    s.bind(port, '127.0.0.1', () => {
      bound = `127.0.0.1:${s.address().port}`;
      rt.log.debug?.(`xray daemon listening on udp ${bound}`);
    });
    s.unref();
  };
  const { port, fixed } = daemonPort(rt.config.port);
  listen(port, !fixed && port !== 0);
  return {
    address: () => bound,
    close: () => {
      try {
        socket?.close();
      } catch {
        // already closed
      }
    },
  };
}
