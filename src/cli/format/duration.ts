/**
 * cli/format/duration — go-units HumanDuration, the words Docker prints in
 * `ps` and `images` ("2 minutes", "About an hour"), and the "… ago" form.
 * Pure; the rounding rules live in lib/units (shared with the daemon's Status line).
 */

import { humanDuration } from '../../lib/units.js';

export { humanDuration };

/** "5 seconds ago" for a moment in the past (ms since epoch), relative to `now`. */
export function timeAgo(thenMs: number, nowMs: number): string {
  return `${humanDuration(nowMs - thenMs)} ago`;
}
