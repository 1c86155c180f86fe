// Plain line logging: one line per request at info, details at debug.
export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LEVELS)[number];

export class Logger {
  private readonly min: number;

  constructor(level: LogLevel) {
    this.min = LEVELS.indexOf(level);
  }

  enabled(level: LogLevel): boolean {
    return LEVELS.indexOf(level) >= this.min;
  }

  private write(level: LogLevel, msg: string) {
    if (!this.enabled(level)) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}\n`;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
  }

  /** Lines a user always wants (the ready line), whatever the level short of silent. */
  notice(msg: string) {
    if (this.min < LEVELS.indexOf('silent')) process.stdout.write(`${new Date().toISOString()} INFO  ${msg}\n`);
  }

  debug(msg: string) { this.write('debug', msg); }
  info(msg: string) { this.write('info', msg); }
  warn(msg: string) { this.write('warn', msg); }
  error(msg: string) { this.write('error', msg); }
}
