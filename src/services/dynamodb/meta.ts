// What DynamoDB keeps of a table and its indexes (the descriptions DescribeTable shows).
import type { AttributeDefinition, KeySchemaElement, Projection, StreamViewType } from '../../generated/dynamodb.js';
import type { KeyDef } from './keys.js';

export interface IndexMeta {
  name: string;
  kind: 'LSI' | 'GSI';
  keySchema: KeySchemaElement[];
  key: KeyDef;
  projection: Projection;
  read?: number;
  write?: number;
}

export interface TableMeta {
  name: string;
  id: string;
  arn: string;
  created: number;
  keySchema: KeySchemaElement[];
  attributeDefinitions: AttributeDefinition[];
  key: KeyDef;
  billingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  read: number;
  write: number;
  indexes: IndexMeta[];
  /** id: the prefix of the stream's records (unique, unlike the label) */
  stream?: { id: string; arn: string; label: string; viewType: StreamViewType; enabled: boolean };
  sse?: { kmsKeyArn?: string };
  tags: Record<string, string>;
  deletionProtection: boolean;
  ttl?: { attribute: string; enabled: boolean };
  pitr: boolean;
  tableClass: string;
}
