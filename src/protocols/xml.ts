// Shape-driven XML writing shared by the query, ec2 and rest-xml protocols.
import { createRequire } from 'node:module';
import type { XMLParser as XMLParserType, XMLValidator as XMLValidatorType } from 'fast-xml-parser';
import type { ServiceModel, Shape, ShapeRef, TimestampFormat } from './model.js';
import { formatTimestamp } from './timestamps.js';
import { scalarFromString } from './scalars.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;', '\n': '&#10;' };
export const escapeXml = (s: string) => s.replace(/[&<>"'\r]/g, (c) => ESC[c]);
export const escapeXmlAttr = (s: string) => s.replace(/[&<>"'\r\n]/g, (c) => ESC[c]);

function nsAttr(ns: { uri: string; prefix?: string } | undefined): string {
  if (!ns?.uri) return ''; // an empty uri: the element is written without a namespace (S3's PostResponse)
  return ns.prefix ? ` xmlns:${ns.prefix}="${escapeXmlAttr(ns.uri)}"` : ` xmlns="${escapeXmlAttr(ns.uri)}"`;
}

function scalarText(shape: Shape, ref: ShapeRef, value: unknown, defaultTs: TimestampFormat): string {
  switch (shape.type) {
    case 'timestamp':
      return String(formatTimestamp(value as Date, ref.timestampFormat ?? shape.timestampFormat ?? defaultTs));
    case 'blob':
      return Buffer.isBuffer(value) || value instanceof Uint8Array
        ? Buffer.from(value as Uint8Array).toString('base64')
        : Buffer.from(String(value)).toString('base64');
    case 'float':
    case 'double':
      return Number.isNaN(value) ? 'NaN' : value === Infinity ? 'Infinity' : value === -Infinity ? '-Infinity' : String(value);
    default:
      return escapeXml(String(value));
  }
}

/**
 * A member's element name in a response, as botocore's parsers read it: a flattened list takes its items'
 * locationName when they have one, else the member's locationName, else its shape's (requests differ:
 * botocore's rest-xml serializer keeps the member's name).
 */
function elementName(model: ServiceModel, name: string, ref: ShapeRef): string {
  const shape = model.shape(ref.shape);
  const named = shape.type === 'list' && (ref.flattened || shape.flattened) ? shape.member!.locationName : undefined;
  return named ?? ref.locationName ?? shape.locationName ?? name;
}

export class XmlWriter {
  constructor(
    private readonly model: ServiceModel,
    private readonly defaultTs: TimestampFormat = 'iso8601',
  ) {}

  /** The child elements (and attributes) of a structure value, skipping members bound elsewhere. */
  structureBody(shape: Shape, value: Record<string, unknown>, skip?: (ref: ShapeRef) => boolean): { attrs: string; inner: string } {
    let attrs = '';
    let inner = '';
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      const v = value[name];
      if (v === undefined || v === null || skip?.(ref)) continue;
      if (ref.xmlAttribute) {
        attrs += ` ${ref.locationName ?? name}="${escapeXmlAttr(String(v))}"`;
        continue;
      }
      inner += this.element(elementName(this.model, name, ref), ref, v);
    }
    return { attrs, inner };
  }

  /** `<name>value</name>` for any shape; flattened lists and maps repeat `name` instead of wrapping. */
  element(name: string, ref: ShapeRef, value: unknown): string {
    const shape = this.model.shape(ref.shape);
    const ns = nsAttr(ref.xmlNamespace ?? shape.xmlNamespace);
    switch (shape.type) {
      case 'structure': {
        const { attrs, inner } = this.structureBody(shape, value as Record<string, unknown>);
        return `<${name}${ns}${attrs}>${inner}</${name}>`;
      }
      case 'list': {
        const items = value as unknown[];
        const memberRef = shape.member!;
        if (ref.flattened || shape.flattened) {
          return items
            .map((item) => this.element(name, { ...memberRef, xmlNamespace: memberRef.xmlNamespace ?? ref.xmlNamespace }, item))
            .join('');
        }
        const itemName = memberRef.locationName ?? 'member';
        return `<${name}${ns}>${items.map((item) => this.element(itemName, memberRef, item)).join('')}</${name}>`;
      }
      case 'map': {
        const keyName = shape.key!.locationName ?? 'key';
        const valueName = shape.value!.locationName ?? 'value';
        const entries = Object.entries(value as Record<string, unknown>).map(
          ([k, v]) => this.element(keyName, shape.key!, k) + this.element(valueName, shape.value!, v),
        );
        if (ref.flattened || shape.flattened) return entries.map((e) => `<${name}${ns}>${e}</${name}>`).join('');
        return `<${name}${ns}>${entries.map((e) => `<entry>${e}</entry>`).join('')}</${name}>`;
      }
      default:
        return `<${name}${ns}>${scalarText(shape, ref, value, this.defaultTs)}</${name}>`;
    }
  }
}

// ---------------------------------------------------------------- reading (rest-xml request bodies)

/** A parsed element. Names are local: namespace prefixes are dropped, `xmlns` attributes ignored. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** the concatenated character data directly inside this element (entities decoded, CDATA included) */
  text: string;
}

const localName = (n: string) => n.slice(n.indexOf(':') + 1);

// fast-xml-parser in its ordered form keeps repeated and mixed elements as written; values stay text.
// Loaded on the first XML body (it costs ~10 MiB and ~30 ms at startup otherwise).
let fxp: { parser: XMLParserType; validator: typeof XMLValidatorType } | undefined;
function xmlLibrary() {
  if (fxp) return fxp;
  const lib = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  const parser = new lib.XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    htmlEntities: true, // also decodes numeric character references (&#65; &#x41;)
  });
  return (fxp = { parser, validator: lib.XMLValidator });
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function toNode(name: string, content: OrderedNode[], attrs: Record<string, string> | undefined): XmlNode {
  const node: XmlNode = { name: localName(name), attrs: {}, children: [], text: '' };
  for (const [k, v] of Object.entries(attrs ?? {})) if (k !== 'xmlns' && !k.startsWith('xmlns:')) node.attrs[localName(k)] = v;
  for (const item of content) {
    const key = Object.keys(item).find((k) => k !== ':@')!;
    if (key === '#text') node.text += String(item[key]);
    else if (key !== '?xml') node.children.push(toNode(key, item[key] as OrderedNode[], item[':@']));
  }
  return node;
}

/**
 * Parses a request body strictly: one root element, well-formed, no DOCTYPE (no entity expansion).
 * Throws SyntaxError when it is not.
 */
export function parseXml(input: string): XmlNode {
  if (/<!DOCTYPE/i.test(input)) throw new SyntaxError('DOCTYPE not allowed');
  const body = input.replace(/^\ufeff/, '').trim();
  if (!body.startsWith('<') || !body.endsWith('>')) throw new SyntaxError('text outside the root element');
  // XML knows five named entities and character references to valid code points, nothing else
  for (const m of input.matchAll(/&([^;<&\s]*)(;?)/g)) {
    const ref = m[1];
    const code = ref[0] === '#' ? (ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)) : undefined;
    const ok = m[2] === ';' && (code === undefined ? ['amp', 'lt', 'gt', 'quot', 'apos'].includes(ref) : code > 0 && code <= 0x10ffff);
    if (!ok) throw new SyntaxError(`invalid entity reference &${ref}${m[2]}`);
  }
  const { parser, validator } = xmlLibrary();
  const valid = validator.validate(input);
  if (valid !== true) throw new SyntaxError(valid.err.msg);
  const top = parser.parse(input) as OrderedNode[];
  if (top.some((n) => '#text' in n && String(n['#text']).trim() !== '')) throw new SyntaxError('text outside the root element');
  const roots = top.filter((n) => !('?xml' in n) && !('#text' in n));
  if (roots.length !== 1) throw new SyntaxError('a document has exactly one root element');
  const name = Object.keys(roots[0]).find((k) => k !== ':@')!;
  return toNode(name, roots[0][name] as OrderedNode[], roots[0][':@']);
}

/** Shape-driven reading of parsed XML into handler values (Date, Buffer, number, boolean). */
export class XmlReader {
  /** @param invalid builds the error for a value of the wrong form */
  constructor(
    private readonly model: ServiceModel,
    private readonly invalid: (message: string) => Error,
  ) {}

  /** The members of a structure from an element's children and attributes; `only` limits the members read. */
  structure(shape: Shape, node: XmlNode, only?: (name: string, ref: ShapeRef) => boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (only && !only(name, ref)) continue;
      const elementName = localName(ref.locationName ?? name);
      if (ref.xmlAttribute) {
        const v = node.attrs[elementName];
        if (v !== undefined) out[name] = this.scalar(ref, v);
        continue;
      }
      const memberShape = this.model.shape(ref.shape);
      const matches = node.children.filter((c) => c.name === elementName);
      if (!matches.length) continue;
      if ((memberShape.type === 'list' || memberShape.type === 'map') && (ref.flattened || memberShape.flattened)) {
        out[name] =
          memberShape.type === 'list' ? matches.map((c) => this.value(memberShape.member!, c)) : this.mapEntries(memberShape, matches);
      } else {
        out[name] = this.value(ref, matches[0]);
      }
    }
    return out;
  }

  value(ref: ShapeRef, node: XmlNode): unknown {
    const shape = this.model.shape(ref.shape);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, node);
      case 'list': {
        const itemName = localName(shape.member!.locationName ?? 'member');
        return node.children.filter((c) => c.name === itemName).map((c) => this.value(shape.member!, c));
      }
      case 'map':
        return this.mapEntries(
          shape,
          node.children.filter((c) => c.name === 'entry'),
        );
      default:
        return this.scalar(ref, node.text);
    }
  }

  private mapEntries(shape: Shape, entries: XmlNode[]): Record<string, unknown> {
    const keyName = localName(shape.key!.locationName ?? 'key');
    const valueName = localName(shape.value!.locationName ?? 'value');
    const out: Record<string, unknown> = {};
    for (const entry of entries) {
      const k = entry.children.find((c) => c.name === keyName);
      const v = entry.children.find((c) => c.name === valueName);
      if (k && v) out[k.text] = this.value(shape.value!, v);
    }
    return out;
  }

  /** A scalar from its text form (XML bodies, and the header/query/label strings of rest protocols). */
  scalar(ref: ShapeRef, text: string): unknown {
    return scalarFromString(this.model.shape(ref.shape), text, this.invalid);
  }
}
