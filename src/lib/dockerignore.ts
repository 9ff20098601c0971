/**
 * lib/dockerignore — `.dockerignore` patterns with Docker's matching rules
 * (moby `patternmatcher`: `*`, `?`, `**`, `[…]`, `!` exceptions, last match
 * wins, a matched directory excludes what is below it), through
 * @balena/dockerignore. Shared by the CLI (what goes into the context tar)
 * and the builder (what the daemon keeps of a context it is sent).
 */
import ignoreModule from '@balena/dockerignore';

// CommonJS: the module object is the factory (it also sets .default to itself).
const ignore = ignoreModule as unknown as typeof ignoreModule.default;

/** Lines of a .dockerignore file → patterns (comments and blanks dropped, as Docker reads them). */
export function parseDockerignore(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export interface IgnoreMatcher {
  /** `rel` is a context-relative path with `/` separators and no leading `./`. */
  ignores(rel: string): boolean;
  /** True when some pattern is an exception (`!…`): an excluded directory must still be walked. */
  hasExceptions: boolean;
}

export function createIgnoreMatcher(patterns: string[]): IgnoreMatcher {
  const ig = ignore().add(patterns);
  return {
    ignores: (rel) => rel !== '' && rel !== '.' && ig.ignores(rel),
    hasExceptions: patterns.some((p) => p.startsWith('!')),
  };
}
