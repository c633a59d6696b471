/**
 * Actions that every policy in play matches alike get the same decision on the same resource:
 * the engine looks at an action only through `Action`/`NotAction` patterns (and a few names it
 * treats specially). Grouping them lets a question about the catalog's ~22,000 actions (what a
 * `*` grants) be asked once per group instead of once per action.
 */
import { compileGlob } from '../../core/policy/glob.js';
import { statementsOf, stringList } from './policy-statements.js';

/** Names the evaluator treats by name (role trust, key policies): each is its own group. */
const SPECIAL = /^(sts|kms):/i;

/** The `Action` / `NotAction` elements of the documents' statements, as matchers. */
export function actionMatchers(documents: readonly unknown[]): ((lowerAction: string) => boolean)[] {
  const out: ((a: string) => boolean)[] = [];
  for (const doc of documents) {
    for (const s of statementsOf(doc)) {
      const action = stringList(s.Action);
      const notAction = stringList(s.NotAction);
      const patterns = action ?? notAction;
      if (!patterns) continue;
      const globs = patterns.map((p) => compileGlob(p.toLowerCase()));
      const any = (a: string) => globs.some((g) => g(a));
      out.push(action ? any : (a) => !any(a));
    }
  }
  return out;
}

/** `actions` split into groups every matcher treats alike, in first-seen order. */
export function actionClasses(actions: Iterable<string>, matchers: readonly ((lowerAction: string) => boolean)[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const action of actions) {
    const lower = action.toLowerCase();
    let key: string;
    if (SPECIAL.test(lower)) key = `!${lower}`;
    else {
      key = '';
      for (const m of matchers) key += m(lower) ? '1' : '0';
    }
    const g = groups.get(key);
    if (g) g.push(action);
    else groups.set(key, [action]);
  }
  return [...groups.values()];
}
