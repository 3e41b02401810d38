//! The provider cache (discovery document + JWKS) and ID-token verification against it.
//!
//! The rule: a stale cache can never lock anyone out.
//! - Past its max age (the configured discovery TTL) a cache is still used, and refreshed in the background.
//! - An ID token whose `kid` is unknown or whose algorithm is not in the cached list (the provider rotated its
//!   signing key, possibly to another key type) triggers one refetch of discovery *and* JWKS together — rate
//!   limited, so forged tokens cannot make the client hammer the provider — and is verified again.
//! - Failures that say nothing about the token (the JWKS cannot be fetched, the refetch is rate limited, the clock
//!   is off) are *transient*: a refresh keeps its new refresh token. Everything else *rejects* the token.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::claims::IdTokenClaims;
use crate::discovery::ProviderMetadata;
use crate::engine::{ClientCore, lock, now};
use crate::error::{LogtoError, Result};
use crate::jwt::{IdTokenExpectations, Jwks, VerifyError, verify_id_token};
use crate::session::ProviderCache;
use crate::store::Persist;

/// At most one forced refetch (an ID token that does not fit the cache) per this period (OIDC Core §10.1.1).
const FORCED_REFETCH_COOLDOWN: Duration = Duration::from_secs(30);
/// At most one background refresh of a stale cache per this period (an offline app must not retry on every call).
const BACKGROUND_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// Why an ID token was not accepted, and what that means for a session.
#[derive(Debug)]
pub(crate) enum IdTokenFailure {
    /// Says nothing about the token (keys unavailable, refetch rate limited, clock off): try again later.
    Transient(LogtoError),
    /// The token is not acceptable.
    Rejected(LogtoError),
}

impl IdTokenFailure {
    pub fn into_error(self) -> LogtoError {
        match self {
            IdTokenFailure::Transient(e) | IdTokenFailure::Rejected(e) => e,
        }
    }
}

/// What an ID token is checked against, besides the provider's keys.
#[derive(Default)]
pub(crate) struct IdTokenContext<'a> {
    pub nonce: Option<&'a str>,
    pub max_age: Option<u64>,
    pub previous: Option<&'a IdTokenClaims>,
}

fn may_run(last: &std::sync::Mutex<Option<Instant>>, every: Duration) -> bool {
    let mut last = lock(last);
    if last.is_some_and(|t| t.elapsed() < every) {
        return false;
    }
    *last = Some(Instant::now());
    true
}

impl ClientCore {
    fn is_fresh(&self, fetched_at: i64) -> bool {
        let max_age = i64::try_from(self.config.discovery_cache_ttl.as_secs()).unwrap_or(i64::MAX);
        // A cache "from the future" (the clock moved back) is not fresh.
        (0..max_age).contains(&now().saturating_sub(fetched_at))
    }

    async fn cached_provider(self: &Arc<Self>) -> Result<Option<ProviderCache>> {
        Ok(self.store().snapshot().await?.doc.provider.clone())
    }

    /// Any cached discovery document, however old; never touches the network.
    pub async fn cached_metadata(self: &Arc<Self>) -> Option<ProviderMetadata> {
        self.cached_provider().await.ok().flatten().map(|p| p.metadata)
    }

    /// The discovery document: cached (refreshed in the background when stale), or fetched now.
    pub async fn metadata(self: &Arc<Self>) -> Result<ProviderMetadata> {
        match self.cached_provider().await? {
            Some(cache) => {
                self.refresh_if_stale(&cache);
                Ok(cache.metadata)
            }
            None => Ok(self.fetch_provider(true, false).await?.metadata),
        }
    }

    /// Discovery and JWKS: cached (refreshed in the background when stale), or fetched now.
    pub async fn keys(self: &Arc<Self>) -> Result<(ProviderMetadata, Jwks)> {
        let cache = match self.cached_provider().await? {
            Some(cache) if cache.jwks.is_some() => {
                self.refresh_if_stale(&cache);
                cache
            }
            _ => self.fetch_provider(false, true).await?,
        };
        Ok((cache.metadata, cache.jwks.unwrap_or_default()))
    }

    fn refresh_if_stale(self: &Arc<Self>, cache: &ProviderCache) {
        let stale = !self.is_fresh(cache.fetched_at) || (cache.jwks.is_some() && !self.is_fresh(cache.jwks_fetched_at));
        if stale && may_run(&self.engine.last_background_refresh, BACKGROUND_REFRESH_INTERVAL) {
            self.spawn(|client| async move {
                let _ = client.fetch_provider(true, true).await;
            });
        }
    }

    /// Fetches discovery (if `refetch_discovery` or none is cached) and, if `with_jwks`, the JWKS, and caches them.
    /// Concurrent callers share one fetch: a caller that waited for another one's fetch uses its result.
    pub async fn fetch_provider(self: &Arc<Self>, refetch_discovery: bool, with_jwks: bool) -> Result<ProviderCache> {
        // Counts of completed fetches (all, and those that included the JWKS) tell a caller that waited for the
        // lock whether someone else fetched what it needs meanwhile.
        let counter = if with_jwks { &self.engine.jwks_fetches } else { &self.engine.provider_fetches };
        let before = counter.load(Ordering::SeqCst);
        let _one = self.engine.provider_fetch.lock().await;
        if counter.load(Ordering::SeqCst) != before
            && let Some(cache) = self.cached_provider().await?
        {
            return Ok(cache);
        }
        let previous = self.cached_provider().await?;
        let (metadata, fetched_at) = match &previous {
            Some(cache) if !refetch_discovery => (cache.metadata.clone(), cache.fetched_at),
            _ => {
                let metadata: ProviderMetadata =
                    self.http.get_json(&self.config.discovery_url, None, "discovery").await?;
                metadata.validate(&self.config.issuer)?;
                (metadata, now())
            }
        };
        let (jwks, jwks_fetched_at) = if with_jwks {
            let jwks: Jwks = self.http.get_json(&metadata.jwks_uri, None, "JWKS").await?;
            if jwks.keys.is_empty() {
                return Err(LogtoError::unexpected("the JWKS has no keys"));
            }
            (Some(jwks), now())
        } else {
            // Keep a cached JWKS only if it still comes from the same place.
            previous
                .filter(|p| p.metadata.jwks_uri == metadata.jwks_uri)
                .map_or((None, 0), |p| (p.jwks, p.jwks_fetched_at))
        };
        let cache = ProviderCache { metadata, fetched_at, jwks, jwks_fetched_at };
        let stored = cache.clone();
        // A cache that fails to persist is only a missed optimisation: memory keeps it.
        self.store()
            .change(Persist::BestEffort, move |doc, _| {
                doc.provider = Some(stored);
                Ok(())
            })
            .await?;
        self.engine.provider_fetches.fetch_add(1, Ordering::SeqCst);
        if with_jwks {
            self.engine.jwks_fetches.fetch_add(1, Ordering::SeqCst);
        }
        Ok(cache)
    }

    /// Verifies an ID token, refetching discovery and JWKS once (rate limited) when it does not fit the cache.
    pub async fn verify_id_token(
        self: &Arc<Self>,
        token: &str,
        context: &IdTokenContext<'_>,
    ) -> Result<IdTokenClaims, IdTokenFailure> {
        let (metadata, jwks) = self.keys().await.map_err(IdTokenFailure::Transient)?;
        match self.check(token, &metadata, &jwks, context) {
            Ok(claims) => return Ok(claims),
            Err(VerifyError::UnknownKid | VerifyError::AlgorithmNotAdvertised) => {}
            Err(VerifyError::Time(e)) => return Err(IdTokenFailure::Transient(e)),
            Err(VerifyError::Invalid(e)) => return Err(IdTokenFailure::Rejected(e)),
        }
        if !may_run(&self.engine.last_forced_refetch, FORCED_REFETCH_COOLDOWN) {
            return Err(IdTokenFailure::Transient(LogtoError::id_token(
                "the token does not fit the cached provider keys, and refetching them is rate-limited",
            )));
        }
        let fresh = self.fetch_provider(true, true).await.map_err(IdTokenFailure::Transient)?;
        let jwks = fresh.jwks.unwrap_or_default();
        self.check(token, &fresh.metadata, &jwks, context).map_err(|e| match e {
            // The provider does not publish the key (yet): a propagation delay is more likely than a forgery of a
            // token that just came from its token endpoint over TLS.
            VerifyError::UnknownKid | VerifyError::Time(_) => IdTokenFailure::Transient(e.into_error()),
            VerifyError::AlgorithmNotAdvertised | VerifyError::Invalid(_) => IdTokenFailure::Rejected(e.into_error()),
        })
    }

    fn check(
        &self,
        token: &str,
        metadata: &ProviderMetadata,
        jwks: &Jwks,
        context: &IdTokenContext<'_>,
    ) -> Result<IdTokenClaims, VerifyError> {
        let expect = IdTokenExpectations {
            issuer: &metadata.issuer,
            client_id: &self.config.app_id,
            nonce: context.nonce,
            max_age: context.max_age,
            previous: context.previous,
            provider_algorithms: metadata.id_token_signing_alg_values_supported.as_deref(),
            now: now(),
            tolerance: i64::try_from(self.config.clock_tolerance.as_secs()).unwrap_or(i64::MAX),
        };
        verify_id_token(token, jwks, &expect)
    }
}
