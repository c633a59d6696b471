/**
 * XML text escaping for every value the Query responses carry. Besides `&`, `<` and `>`, a CR is
 * written as a character reference (an XML parser would turn a raw CR into LF), and characters that
 * XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so
 * the body always parses.
 */

// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex
const SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replacement(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '\r':
      return '&#13;';
    default:
      return '\uFFFD';
  }
}

export function escapeXmlText(text: string): string {
  return NEEDS_WORK.test(text) ? text.replace(SPECIAL, replacement) : text;
}
