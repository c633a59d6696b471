/** The capabilities of an action (capabilities/), cached once more for the review's hot loop. */
import { capabilitiesOfAction } from '../capabilities/index.js';
import type { Capability } from '../capabilities/capability.js';

const cache = new Map<string, readonly Capability[]>();

/** The capabilities `action` (canonical `service:Name`) grants; empty for unknown actions. */
export function actionCapabilities(action: string): readonly Capability[] {
  let caps = cache.get(action);
  if (!caps) {
    caps = capabilitiesOfAction(action);
    cache.set(action, caps);
  }
  return caps;
}
