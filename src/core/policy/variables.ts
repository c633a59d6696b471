/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}`, `${?}`,
 * `${$}`) in `Resource` and condition values. A template is compiled once into literal parts and
 * variable references; resolving it against a request gives the text, or undefined when a
 * variable has no value and no default (AWS then treats that entry as not matching).
 */

export interface VariableRef {
  /** Context key, lower-cased (key names are case-insensitive). */
  key: string;
  defaultValue?: string;
}

/** Literal text, or a variable. Literal `*`/`?` produced by `${*}`/`${?}` are `{ text, literal: true }`. */
export type TemplatePart = string | VariableRef | { text: string; literal: true };

export interface Template {
  parts: TemplatePart[];
  /** True when some part is not plain text: the value must be resolved per request. */
  dynamic: boolean;
  /** True when resolution can yield wildcard characters that must be matched literally. */
  mayHaveLiteralWildcards: boolean;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const WITH_DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

/** Parses `text` for variables. Under policy version 2008-10-17 variables are plain text. */
export function parseTemplate(text: string, variablesEnabled: boolean): Template {
  if (!variablesEnabled || !text.includes('${')) return { parts: [text], dynamic: false, mayHaveLiteralWildcards: false };
  const parts: TemplatePart[] = [];
  let last = 0;
  let dynamic = false;
  let literalWild = false;
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const body = m[1].trim();
    if (body === '*' || body === '?') {
      parts.push({ text: body, literal: true });
      literalWild = true;
      dynamic = true;
    } else if (body === '$') parts.push('$');
    else {
      const d = WITH_DEFAULT.exec(body);
      parts.push(d ? { key: d[1].toLowerCase(), defaultValue: d[2] } : { key: body.toLowerCase() });
      dynamic = true;
      literalWild = true; // a context value may itself contain * or ?
    }
  }
  if (last < text.length) parts.push(text.slice(last));
  if (!dynamic) return { parts: [parts.join('')], dynamic: false, mayHaveLiteralWildcards: false };
  return { parts, dynamic, mayHaveLiteralWildcards: literalWild };
}

/** Looks up a single-valued context key by its lower-cased name. */
export interface VariableSource {
  variable(lowerKey: string): string | undefined;
}

/** The resolved text of each part, or undefined when a variable has no value. */
export function resolveParts(t: Template, source: VariableSource): string[] | undefined {
  const out: string[] = new Array(t.parts.length);
  for (let i = 0; i < t.parts.length; i++) {
    const p = t.parts[i];
    if (typeof p === 'string') out[i] = p;
    else if ('literal' in p) out[i] = p.text;
    else {
      const v = source.variable(p.key) ?? p.defaultValue;
      if (v === undefined) return undefined;
      out[i] = v;
    }
  }
  return out;
}

export function resolveTemplate(t: Template, source: VariableSource): string | undefined {
  if (!t.dynamic) return t.parts[0] as string;
  return resolveParts(t, source)?.join('');
}

const REGEX_SPECIAL = /[.+^${}()|[\]\\/*?]/g;

/**
 * A RegExp for a resolved template where wildcards in the policy's own text keep their meaning
 * and everything that came from a variable is literal. With `arnSegments`, wildcards in the
 * first five ARN segments do not cross a colon.
 */
export function templateRegExp(t: Template, resolved: string[], arnSegments: boolean): RegExp {
  let re = '^';
  let colons = 0;
  for (let i = 0; i < t.parts.length; i++) {
    const p = t.parts[i];
    const text = resolved[i];
    if (typeof p === 'string') {
      for (const ch of text) {
        if (ch === '*') re += arnSegments && colons < 5 ? '[^:]*' : '[\\s\\S]*';
        else if (ch === '?') re += arnSegments && colons < 5 ? '[^:]' : '[\\s\\S]';
        else {
          if (ch === ':') colons++;
          re += ch.replace(REGEX_SPECIAL, '\\$&');
        }
      }
    } else {
      for (const ch of text) if (ch === ':') colons++;
      re += text.replace(REGEX_SPECIAL, '\\$&');
    }
  }
  return new RegExp(re + '$');
}
