import type { Runtime, Stores } from '../../kit.js';
import type { LogsProvider } from '../../generated/logs.js';
import type { LogsStore } from './store.js';

export function insightsHandlers(_rt: Runtime, _stores: Stores<LogsStore>): LogsProvider {
  return {};
}
