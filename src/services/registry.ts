// The services Nimbus serves. Adding one: a folder under src/services/<name>/ and a line here.
import type { ServiceDefinition } from '../runtime.js';
import { sts } from './sts/provider.js';

export const services: ServiceDefinition[] = [sts];
