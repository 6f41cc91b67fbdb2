import { SaxesParser } from 'saxes';
import { PREFIXES, parseClark } from './namespaces';

/** A parsed XML element with namespaces resolved. Text children are kept as strings. */
export interface XmlElement {
  ns: string;
  local: string;
  attrs: { ns: string; local: string; value: string }[];
  children: (XmlElement | string)[];
}

/** Thrown for input that is not well-formed, namespace-valid XML (callers turn it into a 400). */
export class XmlParseError extends Error {}

/**
 * Deepest element nesting we accept. DAV bodies are a handful of levels deep; the serializer and
 * textOf recurse, so an unbounded depth would overflow the stack (a 500) instead of a 400.
 */
const MAX_DEPTH = 100;

/**
 * Parses a request body. Strict XML 1.0 with namespaces; DOCTYPEs are refused, so no entity
 * expansion (XXE, billion laughs) can happen; nesting is bounded by MAX_DEPTH.
 */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('error', (e) => { throw new XmlParseError(e.message); });
  parser.on('doctype', () => { throw new XmlParseError('DOCTYPE is not allowed'); });
  parser.on('opentag', (tag) => {
    const attrs: XmlElement['attrs'] = [];
    for (const a of Object.values(tag.attributes)) {
      if (typeof a === 'string') continue;
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attrs.push({ ns: a.uri, local: a.local, value: a.value });
    }
    if (stack.length >= MAX_DEPTH) throw new XmlParseError(`elements nested deeper than ${MAX_DEPTH} levels`);
    const el: XmlElement = { ns: tag.uri ?? '', local: tag.local ?? tag.name, attrs, children: [] };
    if (el.ns === '' && tag.prefix) throw new XmlParseError(`unbound prefix ${tag.prefix}`);
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else if (root) throw new XmlParseError('more than one root element');
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => { stack.pop(); });
  parser.on('text', (t) => { stack[stack.length - 1]?.children.push(t); });
  parser.on('cdata', (t) => { stack[stack.length - 1]?.children.push(t); });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof XmlParseError) throw e;
    throw new XmlParseError(e instanceof Error ? e.message : String(e));
  }
  if (!root) throw new XmlParseError('no root element');
  return root;
}

/** The element children of an element (text and whitespace dropped). */
export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

/** The first child element with this namespace and local name. */
export function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return elements(el).find((c) => c.ns === ns && c.local === local);
}

/** The concatenated text content of an element and its descendants. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

export function isElement(el: XmlElement, ns: string, local: string): boolean {
  return el.ns === ns && el.local === local;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** Escapes text for element content and attribute values. */
export function escapeXml(s: string): string {
  return /[&<>"'\r]/.test(s) ? s.replace(/[&<>"'\r]/g, (ch) => ESCAPES[ch]) : s;
}

/**
 * Serializes children of a stored property element so they are self-contained: every element
 * declares its default namespace when it differs from its parent's, every namespaced attribute
 * gets its own prefix. The result can be embedded anywhere without relying on outer prefixes.
 */
export function serializeChildren(el: XmlElement, inheritedDefault = ''): string {
  return el.children.map((c) => (typeof c === 'string' ? escapeXml(c) : serializeElement(c, inheritedDefault))).join('');
}

function serializeElement(el: XmlElement, inheritedDefault: string): string {
  let out = `<${el.local}`;
  if (el.ns !== inheritedDefault) out += ` xmlns="${escapeXml(el.ns)}"`;
  el.attrs.forEach((a, i) => {
    if (a.ns === '') out += ` ${a.local}="${escapeXml(a.value)}"`;
    else if (a.ns === 'http://www.w3.org/XML/1998/namespace') out += ` xml:${a.local}="${escapeXml(a.value)}"`;
    else out += ` xmlns:a${i}="${escapeXml(a.ns)}" a${i}:${a.local}="${escapeXml(a.value)}"`;
  });
  if (el.children.length === 0) return out + '/>';
  return `${out}>${serializeChildren(el, el.ns)}</${el.local}>`;
}

/**
 * Opening and closing tags for a property named in Clark notation: a known namespace uses its
 * root prefix; any other gets a local declaration.
 */
export function tagFor(name: string): Tag {
  let tag = tagCache.get(name);
  if (!tag) {
    tag = buildTag(name);
    if (tagCache.size < 10_000) tagCache.set(name, tag);
  }
  return tag;
}

type Tag = { open: string; close: string; empty: string };
const tagCache = new Map<string, Tag>();

function buildTag(name: string): Tag {
  const { ns, local } = parseClark(name);
  const prefix = PREFIXES.get(ns);
  if (prefix) return { open: `<${prefix}:${local}>`, close: `</${prefix}:${local}>`, empty: `<${prefix}:${local}/>` };
  if (ns === '') return { open: `<${local} xmlns="">`, close: `</${local}>`, empty: `<${local} xmlns=""/>` };
  const decl = ` xmlns:x="${escapeXml(ns)}"`;
  return { open: `<x:${local}${decl}>`, close: `</x:${local}>`, empty: `<x:${local}${decl}/>` };
}
