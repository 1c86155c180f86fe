// Line logging: one line per request at info, details at debug. `json` format writes each line as
// one JSON object ({time, level, msg}; request lines also {service, operation, status, ms, requestId}).
export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];
export type LogFormat = 'text' | 'json';

// the gateway's request line: `sqs.SendMessage 200 3ms <request id>`
const REQUEST_LINE = /^(\S+?)\.(\S+) (\d{3}) (\d+(?:\.\d+)?)ms (\S+)$/;

/** The fields of a request line, if this message is one. */
export function requestFields(msg: string): Record<string, string | number> | undefined {
  const m = REQUEST_LINE.exec(msg);
  if (!m) return undefined;
  return { service: m[1], operation: m[2], status: Number(m[3]), ms: Number(m[4]), requestId: m[5] };
}

export class Logger {
  private readonly min: number;

  constructor(
    level: LogLevel,
    readonly format: LogFormat = 'text',
  ) {
    this.min = LEVELS.indexOf(level);
  }

  enabled(level: LogLevel): boolean {
    return LEVELS.indexOf(level) >= this.min;
  }

  private line(level: string, msg: string): string {
    const time = new Date().toISOString();
    if (this.format === 'json') return `${JSON.stringify({ time, level, msg, ...requestFields(msg) })}\n`;
    return `${time} ${level.toUpperCase().padEnd(5)} ${msg}\n`;
  }

  private write(level: LogLevel, msg: string) {
    if (!this.enabled(level)) return;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(this.line(level, msg));
  }

  /** Lines a user always wants (the ready line), whatever the level short of silent. */
  notice(msg: string) {
    if (this.min < LEVELS.indexOf('silent')) process.stdout.write(this.line('info', msg));
  }

  debug(msg: string) {
    this.write('debug', msg);
  }
  info(msg: string) {
    this.write('info', msg);
  }
  warn(msg: string) {
    this.write('warn', msg);
  }
  error(msg: string) {
    this.write('error', msg);
  }
}
