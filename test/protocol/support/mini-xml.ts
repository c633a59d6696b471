/**
 * A small, strict XML parser for the tests: elements, attributes, text and the five entities plus
 * numeric references. Enough to read our Query responses back without a dependency; it throws on
 * anything malformed, so a broken body fails the test that produced it.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content of this element (not of its children). */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`unknown entity &${ref};`);
    return e;
  });
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML: ${why} at ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
  };
  const skipSpace = () => {
    while (i < xml.length && /\s/.test(xml.charAt(i))) i++;
  };
  const name = (): string => {
    const m = /^[A-Za-z_][\w.:-]*/.exec(xml.slice(i));
    if (!m) return fail('expected a name');
    i += m[0].length;
    return m[0];
  };
  const element = (): XmlElement => {
    if (xml.charAt(i) !== '<') fail('expected <');
    i++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    while (true) {
      skipSpace();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml.charAt(i) === '>') {
        i++;
        break;
      }
      const attr = name();
      skipSpace();
      if (xml.charAt(i) !== '=') fail('expected =');
      i++;
      skipSpace();
      const quote = xml.charAt(i);
      if (quote !== '"' && quote !== "'") fail('expected a quote');
      const end = xml.indexOf(quote, i + 1);
      if (end < 0) fail('unterminated attribute');
      el.attributes[attr] = decodeEntities(xml.slice(i + 1, end));
      i = end + 1;
    }
    while (true) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail(`unterminated <${el.name}>`);
      const text = xml.slice(i, lt);
      el.text += decodeEntities(text);
      i = lt;
      if (xml.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (xml.charAt(i) !== '>') fail('expected >');
        i++;
        return el;
      }
      el.children.push(element());
    }
  };
  skipSpace();
  if (xml.startsWith('<?xml', i)) i = xml.indexOf('?>', i) + 2;
  skipSpace();
  const root = element();
  skipSpace();
  if (i !== xml.length) fail('content after the root element');
  return root;
}

/** The only child named `name`; throws when there is none or more than one. */
export function child(el: XmlElement, name: string): XmlElement {
  const found = el.children.filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`<${el.name}> has ${found.length} <${name}> children`);
  return found[0] as XmlElement;
}

/** Text of the path of single children: `textAt(root, 'Error', 'Code')`. */
export function textAt(el: XmlElement, ...path: string[]): string {
  return path.reduce((e, n) => child(e, n), el).text;
}
