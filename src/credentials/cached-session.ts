/**
 * The caching decorator (aws-vault's CachedSessionProvider) around a session source: memoised in
 * memory, kept on disk, and refreshed under a cross-process lock with a double check (cache → lock →
 * cache again → STS → store), so two kmseal processes needing a session at once ask for one MFA code.
 */
import type { CachedSession, SessionCache, SessionKey } from "./session-cache.js";
import type { SessionSource } from "./session-token.js";

export interface CachedSessionProvider {
  readonly key: SessionKey;
  /** The entry to use: the remembered one, the cached one, or a new one from the source. */
  get(): Promise<CachedSession>;
  /** A cached entry with more than the cache's margin left; never calls the source. */
  fresh(): CachedSession | undefined;
  /** Drops the entry (STS said it is revoked): the next `get` asks the source, whatever is cached. */
  invalidate(): void;
}

/** `force` (`kmseal login`): the first `get` asks the source even if a valid entry is cached. */
export function cachedSession(source: SessionSource, cache: SessionCache, opts: { force?: boolean } = {}): CachedSessionProvider {
  let force = opts.force === true;
  let memo: CachedSession | undefined;
  let pending: Promise<CachedSession> | undefined;

  const refresh = async (): Promise<CachedSession> => {
    const forced = force;
    const hit = forced ? undefined : cache.fresh(source.key);
    if (hit !== undefined) return hit;
    return cache.withLock(source.key, async () => {
      // Whoever held the lock before us has usually just written the entry we need.
      const again = forced ? undefined : cache.fresh(source.key);
      if (again !== undefined) return again;
      const entry = await source.fetch();
      await cache.write(entry);
      return entry;
    });
  };

  return {
    key: source.key,
    async get() {
      if (memo !== undefined && !force && cache.remainingMs(memo) > cache.minRemainingMs) return memo;
      pending ??= refresh().finally(() => (pending = undefined));
      memo = await pending;
      force = false;
      return memo;
    },
    fresh: () => cache.fresh(source.key),
    invalidate() {
      cache.remove(source.key);
      memo = undefined;
      force = true;
    },
  };
}
