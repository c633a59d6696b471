/**
 * Query parameters as a tree split on dots: `Tags.member.1.Key=k` becomes
 * root → Tags → member → 1 → Key (value "k"). The input readers walk it alongside the model's
 * shapes, so lists and nested structures need no key scanning.
 */
export interface FormNode {
  /** The parameter name that reaches this node (`Tags.member.1`), for messages. */
  key: string;
  /** Set when the parameter itself was sent (`Tags=` gives ""). */
  value?: string;
  children?: Map<string, FormNode>;
}

export function buildFormTree(params: ReadonlyMap<string, string>): FormNode {
  const root: FormNode = { key: '' };
  for (const [name, value] of params) {
    let node = root;
    let from = 0;
    while (true) {
      const dot = name.indexOf('.', from);
      const segment = dot === -1 ? name.slice(from) : name.slice(from, dot);
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (!child) {
        child = { key: dot === -1 ? name : name.slice(0, dot) };
        node.children.set(segment, child);
      }
      node = child;
      if (dot === -1) break;
      from = dot + 1;
    }
    node.value = value;
  }
  return root;
}

/**
 * The children of a list or map node that are element indices (`1`, `2`...), in numeric order.
 * Other names are ignored, and gaps close up: `member.1` and `member.3` give two elements.
 */
export function indexedChildren(node: FormNode | undefined): FormNode[] {
  if (!node?.children) return [];
  const items: [number, FormNode][] = [];
  for (const [name, child] of node.children) {
    if (/^[1-9]\d{0,8}$/.test(name)) items.push([Number(name), child]);
  }
  items.sort((a, b) => a[0] - b[0]);
  return items.map(([, child]) => child);
}
