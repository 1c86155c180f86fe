// Types of the CommonJS entry (the ES module's, re-declared without importing it).
export interface NimbusOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  ephemeral?: boolean;
  enforceIam?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  logFormat?: 'text' | 'json';
  fsync?: boolean;
  defaultRegion?: string;
  services?: string[];
  localstackHost?: string;
  sqsEndpointStrategy?: 'off' | 'standard' | 'domain' | 'path';
  initHooks?: boolean;
  initDirs?: string[];
}
export interface RunningNimbus {
  endpoint: string;
  url: string;
  port: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  clock: { advance(ms: number): Date; now(): Date };
  unserved: string[];
  reset(): Promise<void>;
  stop(): Promise<void>;
}
export declare function startNimbus(options?: NimbusOptions): Promise<RunningNimbus>;
export declare const TEST_CREDENTIALS: Readonly<{ accessKeyId: 'test'; secretAccessKey: 'test' }>;
