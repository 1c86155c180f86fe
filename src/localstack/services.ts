// SERVICES: which of the services Nimbus serves are started. LocalStack's names are the botocore
// names Nimbus uses; a few of its aliases are mapped.
import { ConfigError } from '../config.js';

const ALIASES: Record<string, string> = {
  cloudwatchlogs: 'logs',
  eventbridge: 'events',
  'dynamodb-streams': 'dynamodbstreams',
  elasticsearch: 'es',
  'stepfunctions-sfn': 'stepfunctions',
};

/** Services started along with another (DynamoDB's streams with DynamoDB, as LocalStack does). */
const WITH: Record<string, string[]> = { dynamodb: ['dynamodbstreams'] };

export interface Selection<S> {
  selected: S[];
  /** known AWS services Nimbus does not serve (yet): requests to them answer NotImplemented */
  unserved: string[];
}

/**
 * The services to start. An unknown name is a ConfigError naming the served ones; an AWS service
 * Nimbus does not serve is reported in `unserved`, not refused (a LocalStack list may name it).
 */
export function selectServices<S extends { name: string }>(
  all: S[],
  names: string[] | undefined,
  isAwsService: (name: string) => boolean,
): Selection<S> {
  if (!names) return { selected: all, unserved: [] };
  const served = new Set(all.map((s) => s.name));
  const wanted = new Set<string>();
  const unserved: string[] = [];
  const unknown: string[] = [];
  for (const raw of names) {
    const name = ALIASES[raw] ?? raw;
    if (served.has(name)) {
      wanted.add(name);
      for (const w of WITH[name] ?? []) if (served.has(w)) wanted.add(w);
    } else if (isAwsService(name)) unserved.push(name);
    else unknown.push(raw);
  }
  if (unknown.length) {
    throw new ConfigError(
      `unknown service${unknown.length > 1 ? 's' : ''} in SERVICES: ${unknown.join(', ')} (Nimbus serves: ${[...served].join(', ')})`,
    );
  }
  return { selected: all.filter((s) => wanted.has(s.name)), unserved };
}
