// Reading parameters: the account's own, and AWS's public ones (`/aws/service/…`, the AMI ids EC2's
// catalogue publishes through rt.integrations.ec2). Selectors resolve to one version; SecureString
// values decrypt through KMS with the parameter's ARN as encryption context, as AWS does.
import type { Runtime, Stores } from '../../kit.js';
import type { Parameter } from '../../generated/ssm.js';
import { type ParameterRecord, type SsmStore, type VersionRecord, latest, parameterArn } from './store.js';
import { candidates, parseSelector } from './validate.js';
import { parameterNotFound, versionNotFound } from './errors.js';

/** When AWS's public parameters were last modified, as Nimbus shows them. */
const PUBLIC_MODIFIED = Date.parse('2024-12-13T00:00:00Z');

export interface Place {
  account: string;
  region: string;
}

export class Catalog {
  constructor(
    readonly rt: Runtime,
    readonly stores: Stores<SsmStore>,
  ) {}

  /** AWS's public parameters in a region (read-only, owned by no account). */
  publicParameters(region: string): ParameterRecord[] {
    const list = this.rt.integrations.ec2?.publicImageParameters?.(region) ?? [];
    return list.map((p) => ({
      name: p.name,
      tags: [],
      versions: [
        {
          version: 1,
          value: p.imageId,
          type: 'String',
          tier: 'Standard',
          dataType: 'text',
          labels: [],
          modified: PUBLIC_MODIFIED,
          user: '',
        },
      ],
    }));
  }

  /** A parameter by exact name (the account's, else a public one), or undefined. */
  find(at: Place, name: string): ParameterRecord | undefined {
    if (/^\/aws\//.test(name)) return this.publicParameters(at.region).find((p) => p.name === name);
    return this.stores.get(at.account, at.region).parameters.get(name);
  }

  /** A name as callers give it (an ARN, `name:3`, `name:label`) resolved to its record and version. */
  resolve(at: Place, raw: string): { record: ParameterRecord; version: VersionRecord; selector?: string } {
    const sel = parseSelector(raw);
    let record: ParameterRecord | undefined;
    for (const n of candidates(sel.name)) record ??= this.find(at, n);
    if (!record) throw parameterNotFound();
    if (sel.version !== undefined) {
      const version = record.versions.find((v) => v.version === sel.version);
      if (!version) throw versionNotFound(record.name, sel.version);
      return { record, version, selector: sel.text };
    }
    if (sel.label !== undefined) {
      const version = record.versions.find((v) => v.labels.includes(sel.label!));
      if (!version) throw parameterNotFound();
      return { record, version, selector: sel.text };
    }
    return { record, version: latest(record) };
  }

  arn(at: Place, name: string): string {
    return /^\/aws\//.test(name) ? parameterArn(at.region, '', name) : parameterArn(at.region, at.account, name);
  }

  /** The value a caller sees: SecureString ciphertext unless decryption is asked for. */
  valueOf(at: Place, name: string, v: VersionRecord, decrypt: boolean | undefined): string {
    if (v.type !== 'SecureString' || !decrypt) return v.value;
    const kms = this.rt.integrations.kms;
    if (!kms) return v.value;
    return kms
      .decrypt(at.account, at.region, Buffer.from(v.value, 'base64'), { PARAMETER_ARN: this.arn(at, name) })
      .plaintext.toString('utf8');
  }

  /** The Parameter shape GetParameter(s) and GetParametersByPath answer with. */
  shape(at: Place, record: ParameterRecord, v: VersionRecord, decrypt: boolean | undefined, selector?: string): Parameter {
    return {
      Name: record.name,
      Type: v.type,
      Value: this.valueOf(at, record.name, v, decrypt),
      Version: v.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: new Date(v.modified),
      ARN: this.arn(at, record.name),
      DataType: v.dataType,
    };
  }
}
