// In-memory storage adapter for oidc-provider.
//
// oidc-provider's built-in MemoryAdapter is an LRU capped at 1000 entries, so a
// long end-to-end test run (many logins, hundreds of tokens) could silently
// evict live grants or refresh tokens and cause spurious `invalid_grant`s.
// This adapter keeps every artifact until it expires (expiresIn + clock
// tolerance, like the built-in one), in one process-local Map.
//
// It also implements Logto's refresh-token reuse interval: Logto treats a
// consumed refresh token as still valid for 3 s after it was last consumed
// (`refreshTokenReuseInterval = 3` and `isConsumed` in
// packages/core/src/queries/oidc-model-instance.ts: consumed once
// `consumedAt + 3 s < now`; consuming it again inside the window moves
// `consumedAt`). After the window oidc-provider sees `consumed`, and its
// refresh grant revokes the whole grant. 0 = strict: any reuse revokes.
//
// The store outlives the provider: when the signing keys are rotated the
// provider is rebuilt around the same store (server.js), so sessions, grants
// and refresh tokens survive, as they do in Logto's database.

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const epochTime = () => Math.floor(Date.now() / 1000);

export function createAdapterFactory({ clockTolerance = 0, refreshTokenReuseInterval = 0 } = {}) {
  /** key → { value, expiresAt (ms epoch or Infinity), consumedAt? (ms epoch) } */
  const store = new Map();
  let writes = 0;

  const get = (key) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.value;
  };

  const set = (key, value, expiresInSeconds) => {
    const expiresAt = typeof expiresInSeconds === 'number'
      ? Date.now() + (expiresInSeconds + clockTolerance) * 1000
      : Infinity;
    store.set(key, { value, expiresAt });
    writes += 1;
    if (writes % 500 === 0) sweep();
  };

  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of store) {
      if (entry.expiresAt <= now) store.delete(key);
    }
  };

  const grantKey = (grantId) => `grant:${grantId}`;
  const sessionUidKey = (uid) => `sessionUid:${uid}`;
  const userCodeKey = (code) => `userCode:${code}`;

  class DevIdpAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      if (this.model === 'Session' && payload.uid) {
        set(sessionUidKey(payload.uid), id, expiresIn);
      }
      if (payload.userCode) {
        set(userCodeKey(payload.userCode), id, expiresIn);
      }
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const members = get(grantKey(payload.grantId)) ?? new Set();
        members.add(key);
        // the grant index lives as long as the longest member could
        const previous = store.get(grantKey(payload.grantId));
        const memberExpiry = typeof expiresIn === 'number'
          ? Date.now() + (expiresIn + clockTolerance) * 1000
          : Infinity;
        store.set(grantKey(payload.grantId), {
          value: members,
          expiresAt: Math.max(previous?.expiresAt ?? 0, memberExpiry),
        });
      }
      set(key, structuredClone(payload), expiresIn);
    }

    async find(id) {
      const payload = get(this.key(id));
      if (!payload) return undefined;
      const copy = structuredClone(payload);
      const consumedAt = store.get(this.key(id))?.consumedAt;
      if (
        this.model === 'RefreshToken'
        && refreshTokenReuseInterval > 0
        && typeof consumedAt === 'number'
        && Date.now() <= consumedAt + refreshTokenReuseInterval * 1000
      ) {
        delete copy.consumed;
      }
      return copy;
    }

    async findByUid(uid) {
      const id = get(sessionUidKey(uid));
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = get(userCodeKey(userCode));
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const payload = get(this.key(id));
      if (payload) {
        payload.consumed = epochTime();
        store.get(this.key(id)).consumedAt = Date.now();
      }
    }

    async destroy(id) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      const members = get(grantKey(grantId));
      if (members) {
        for (const key of members) store.delete(key);
      }
      store.delete(grantKey(grantId));
    }
  }

  return {
    Adapter: DevIdpAdapter,
    /** number of stored entries (diagnostics only) */
    size: () => store.size,
    /**
     * Whether a refresh token has been consumed (rotated) at least once,
     * whatever the reuse interval says: `undefined` when the token is unknown
     * (never issued, expired, revoked or destroyed).
     */
    refreshTokenConsumed(value) {
      const entry = typeof value === 'string' ? store.get(`RefreshToken:${value}`) : undefined;
      if (!entry || entry.expiresAt <= Date.now()) return undefined;
      return typeof entry.consumedAt === 'number';
    },
  };
}
