//! Every fault enumerated (issue 11).
//!
//! **Network**: each request the core makes × each network fault, injected at the byte level by a raw-TCP front
//! (`support/fault_front.rs`) in front of the scripted OP. Each case asserts the typed error (its `code()`), no
//! panic, and the stored session exactly as before — or, for a refresh, the durability rules; for revocation, that
//! sign-out succeeds locally and the token stays queued for a later attempt. A fault stays armed for the whole
//! operation (the refresh's one immediate retry meets it too).
//!
//! **Storage**: a storage that fails, or "crashes" at (drops that and every later write), the N-th write, for every
//! N over a full flow (sign-in, refresh, organization token, a second sign-in replacing the session, sign-out).
//! After a restart on what was written — after every step — the session is one the flow had at a step boundary
//! (or, inside a refresh, the old one with the rotated refresh token, rule 3), never a mix, never unreadable; a
//! replaced session's refresh token is queued or revoked; a step whose write failed returns a typed error, and one
//! that reports success has its session on disk.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use logto_core::{LogtoClient, LogtoConfig, LogtoError, MemoryStorage, SignInOptions, Storage, StorageError};
use serde_json::{Value, json};
use support::fault_front::{Endpoint, Fault, FaultFront};
use support::fault_op::{Answer, FaultOp, REDIRECT, refresh_claims, sign_in, start_sign_in};
use support::keys::TestKey;

const STORAGE_KEY: &str = "logto:rp-test-client";
const API: &str = "https://api.example.com";
/// The request timeout of the clients under test: a stalled body ends by it.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(1000);

fn raw(storage: &MemoryStorage) -> Option<String> {
    storage.get(STORAGE_KEY).unwrap()
}

fn doc(storage: &MemoryStorage) -> Value {
    serde_json::from_str(&raw(storage).expect("a stored document")).unwrap()
}

/// The session part of the stored document, as bytes: the generation and the session.
fn session_bytes(storage: &MemoryStorage) -> String {
    let doc = raw(storage).map(|raw| serde_json::from_str::<Value>(&raw).unwrap()).unwrap_or(Value::Null);
    json!({"generation": doc["generation"], "session": doc["session"]}).to_string()
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ── Network faults

/// Where each request is exercised: the request's natural place in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    /// Discovery at the start of a first sign-in (nothing cached).
    DiscoveryAtSignIn,
    /// Discovery refetched during a refresh whose ID token is signed by a new key (rotation).
    DiscoveryAtRotation,
    /// JWKS at the callback of a first sign-in (the background prefetch after `sign_in_url` meets the fault too).
    JwksAtCallback,
    /// JWKS refetched during a refresh whose ID token is signed by a new key (rotation).
    JwksAtRotation,
    /// The code exchange (`authorization_code`) of a new sign-in on a signed-in client.
    CodeExchange,
    /// A refresh (`refresh_token` grant) for a resource.
    Refresh,
    /// `fetch_user_info`.
    UserInfo,
    /// The background revocation after `sign_out`.
    Revocation,
}

const REQUESTS: [Request; 8] = [
    Request::DiscoveryAtSignIn,
    Request::DiscoveryAtRotation,
    Request::JwksAtCallback,
    Request::JwksAtRotation,
    Request::CodeExchange,
    Request::Refresh,
    Request::UserInfo,
    Request::Revocation,
];

/// Faults enumerated at revocation only: refusals by an intermediary, which say nothing about the token.
const REVOCATION_EXTRA: [Fault; 2] = [Fault::TooManyRequestsHtml, Fault::ForbiddenHtml];

/// What a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The operation succeeds (the fault does not matter to the core).
    Ok,
    /// The operation fails with this `code()`.
    Code(&'static str),
    /// Sign-out succeeds; the refresh token stays queued for revocation.
    Queued,
    /// Sign-out succeeds; the revocation counts as done (the token leaves the queue).
    Settled,
}

fn expected(request: Request, fault: Fault) -> Expect {
    if request == Request::Revocation {
        // Revocation answers carry no body (RFC 7009): a cut or mislabelled one is still a 200.
        return match fault {
            Fault::TruncatedJson | Fault::WrongContentType => Expect::Settled,
            _ => Expect::Queued,
        };
    }
    let code = match fault {
        Fault::Refused | Fault::ResetMidBody | Fault::StalledBody | Fault::Oversized => "network",
        Fault::ServerError => "http_error_503",
        Fault::TruncatedJson => "unexpected_response_error",
        // The body is what counts; a label is not a reason to drop a valid answer.
        Fault::WrongContentType => return Expect::Ok,
        Fault::HtmlErrorPage => "http_error_502",
        Fault::TooManyRequestsHtml => "http_error_429",
        Fault::ForbiddenHtml => "http_error_403",
    };
    // User info wraps the cause (its message keeps it).
    Expect::Code(if request == Request::UserInfo { "fetch_user_info_failed" } else { code })
}

fn cases() -> Vec<(Request, Fault)> {
    let mut cases = Vec::new();
    for request in REQUESTS {
        for fault in Fault::NETWORK {
            cases.push((request, fault));
        }
    }
    for fault in REVOCATION_EXTRA {
        cases.push((Request::Revocation, fault));
    }
    cases
}

struct World {
    op: FaultOp,
    front: FaultFront,
    key: TestKey,
    storage: Arc<MemoryStorage>,
    client: LogtoClient,
}

fn config(op: &FaultOp) -> LogtoConfig {
    let mut config = op.config();
    config.request_timeout = REQUEST_TIMEOUT;
    config.connect_timeout = REQUEST_TIMEOUT;
    config
}

/// An OP behind a fault front, and a client with nothing stored.
async fn world() -> World {
    let front = FaultFront::bind(LogtoConfig::new("http://localhost", "x").max_response_bytes);
    let op = FaultOp::start_behind(Some(front.base())).await;
    front.front(&op);
    let key = TestKey::es384("k1");
    op.publish(&[&key]);
    let storage = Arc::new(MemoryStorage::new());
    let client = LogtoClient::new(config(&op), storage.clone()).unwrap();
    World { op, front, key, storage, client }
}

/// Signed in with refresh token `rt-1`.
async fn signed_in_world() -> World {
    let w = world().await;
    sign_in(&w.op, &w.client, &w.key, "rt-1").await;
    w
}

/// A refresh answer; its ID token differs from every other (`jti`), also within one second.
fn refreshed(op: &FaultOp, key: &TestKey, refresh_token: &str) -> Answer {
    let claims = refresh_claims(op, json!({"jti": refresh_token}));
    Answer::json(200, FaultOp::token_body(Some(key.sign(&claims)), Some(refresh_token)))
}

fn check_code(what: &str, result: &Result<(), LogtoError>, expect: Expect) {
    match (expect, result) {
        (Expect::Ok, Ok(())) => {}
        (Expect::Code(code), Err(e)) => assert_eq!(e.code(), code, "{what}: {e}"),
        (expect, result) => panic!("{what}: expected {expect:?}, got {result:?}"),
    }
}

/// One case; panics (in its own task) on a failed assertion.
async fn run_case(request: Request, fault: Fault) {
    let expect = expected(request, fault);
    let what = format!("{request:?} × {fault:?}");
    let (w, endpoint) = match request {
        Request::DiscoveryAtSignIn => {
            let w = world().await;
            w.front.arm(Endpoint::Discovery, fault, None).await;
            let before = raw(&w.storage);
            let result = w.client.sign_in_url(SignInOptions::new(REDIRECT)).await.map(|_| ());
            check_code(&what, &result, expect);
            if result.is_err() {
                assert_eq!(raw(&w.storage), before, "{what}: nothing stored");
            } else {
                assert!(doc(&w.storage)["pending_sign_in"].is_object(), "{what}");
            }
            (w, Endpoint::Discovery)
        }
        Request::DiscoveryAtRotation | Request::JwksAtRotation => {
            let w = signed_in_world().await;
            let new_key = TestKey::es384_other("k2");
            w.op.publish(&[&new_key, &w.key]);
            w.op.push_token(refreshed(&w.op, &new_key, "rt-2"));
            let before = doc(&w.storage);
            let endpoint = if request == Request::JwksAtRotation { Endpoint::Jwks } else { Endpoint::Discovery };
            w.front.arm(endpoint, fault, None).await;
            let result = w.client.get_access_token(Some(API), None).await.map(|_| ());
            check_code(&what, &result, expect);
            let after = doc(&w.storage);
            assert_eq!(after["session"]["refresh_token"], "rt-2", "{what}: the rotated refresh token is persisted");
            if result.is_err() {
                // Transient: the session is kept (with the rotated refresh token), nothing else changes.
                let mut kept = before.clone();
                kept["session"]["refresh_token"] = json!("rt-2");
                assert_eq!(after, kept, "{what}: the session is kept");
                assert!(w.client.is_authenticated().await.unwrap(), "{what}");
            } else {
                assert_ne!(after["session"]["id_token"], before["session"]["id_token"], "{what}");
            }
            (w, endpoint)
        }
        Request::JwksAtCallback => {
            let w = world().await;
            w.front.arm(Endpoint::Jwks, fault, None).await;
            let started = start_sign_in(&w.op, &w.client).await;
            let before = session_bytes(&w.storage);
            let id_token = w.key.sign(&w.op.id_claims(&started.nonce));
            w.op.push_token(Answer::json(200, FaultOp::token_body(Some(id_token), Some("rt-new"))));
            let result = w.client.handle_sign_in_callback(&started.callback).await;
            check_code(&what, &result, expect);
            if result.is_err() {
                assert_eq!(session_bytes(&w.storage), before, "{what}: no session, same generation");
                assert!(!w.client.is_authenticated().await.unwrap(), "{what}");
            } else {
                assert_eq!(doc(&w.storage)["session"]["refresh_token"], "rt-new", "{what}");
            }
            (w, Endpoint::Jwks)
        }
        Request::CodeExchange => {
            let w = signed_in_world().await;
            let started = start_sign_in(&w.op, &w.client).await;
            let before = session_bytes(&w.storage);
            let id_token = w.key.sign(&w.op.id_claims(&started.nonce));
            w.op.push_token(Answer::json(200, FaultOp::token_body(Some(id_token), Some("rt-new"))));
            w.front.arm(Endpoint::Token, fault, Some("authorization_code")).await;
            let result = w.client.handle_sign_in_callback(&started.callback).await;
            check_code(&what, &result, expect);
            if result.is_err() {
                assert_eq!(session_bytes(&w.storage), before, "{what}: the previous session, byte for byte");
                assert_eq!(w.client.get_refresh_token().await.unwrap().as_deref(), Some("rt-1"), "{what}");
            } else {
                assert_eq!(doc(&w.storage)["session"]["refresh_token"], "rt-new", "{what}");
            }
            (w, Endpoint::Token)
        }
        Request::Refresh => {
            let w = signed_in_world().await;
            // Two answers: the immediate retry after a lost answer gets the second (if the fault lets it through).
            w.op.push_token(refreshed(&w.op, &w.key, "rt-2"));
            w.op.push_token(refreshed(&w.op, &w.key, "rt-3"));
            let before = raw(&w.storage);
            w.front.arm(Endpoint::Token, fault, Some("refresh_token")).await;
            let result = w.client.get_access_token(Some(API), None).await.map(|_| ());
            check_code(&what, &result, expect);
            if result.is_err() {
                // Transient: the refresh token and the session are kept, byte for byte.
                assert_eq!(raw(&w.storage), before, "{what}: the stored document is unchanged");
                assert!(w.client.is_authenticated().await.unwrap(), "{what}");
                assert_eq!(w.client.get_refresh_token().await.unwrap().as_deref(), Some("rt-1"), "{what}");
            } else {
                assert_eq!(doc(&w.storage)["session"]["refresh_token"], "rt-2", "{what}");
            }
            (w, Endpoint::Token)
        }
        Request::UserInfo => {
            let w = signed_in_world().await;
            w.op.set_userinfo(Answer::json(200, json!({"sub": "user-1", "name": "Ada"})));
            let before = raw(&w.storage);
            w.front.arm(Endpoint::UserInfo, fault, None).await;
            let result = w.client.fetch_user_info().await.map(|_| ());
            check_code(&what, &result, expect);
            assert_eq!(raw(&w.storage), before, "{what}: the stored document is unchanged");
            (w, Endpoint::UserInfo)
        }
        Request::Revocation => {
            let w = signed_in_world().await;
            w.front.arm(Endpoint::Revocation, fault, None).await;
            let url = w.client.sign_out(None).await;
            assert!(url.is_ok(), "{what}: sign-out succeeds locally: {url:?}");
            assert!(!w.client.is_authenticated().await.unwrap(), "{what}");
            // Waits for the background attempt, then tries once more itself (the fault is still there).
            let left = w.client.revoke_pending_tokens().await.unwrap();
            let stored = doc(&w.storage);
            assert!(stored["session"].is_null(), "{what}: the session is removed from storage");
            let queued: Vec<&str> = stored["pending_revocations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["token"].as_str().unwrap())
                .collect();
            match expect {
                Expect::Queued => {
                    assert_eq!((left, queued), (1, vec!["rt-1"]), "{what}: the token stays queued");
                    // The network is back: a later attempt revokes it.
                    w.front.disarm(Endpoint::Revocation).await;
                    assert_eq!(w.client.revoke_pending_tokens().await.unwrap(), 0, "{what}: retried later");
                    assert_eq!(w.op.revoked().last().map(String::as_str), Some("rt-1"), "{what}");
                    assert!(doc(&w.storage)["pending_revocations"].as_array().unwrap().is_empty(), "{what}");
                }
                Expect::Settled => {
                    assert_eq!((left, queued), (0, vec![]), "{what}: revoked");
                    assert_eq!(w.op.revoked(), ["rt-1"], "{what}");
                }
                other => unreachable!("{other:?}"),
            }
            (w, Endpoint::Revocation)
        }
    };
    if fault != Fault::Refused {
        assert!(w.front.port(endpoint).faulted() > 0, "{what}: the fault was injected");
    }
}

/// Panics outside the tests' own code — the core's, in its background tasks too — recorded by a process-wide hook.
static FOREIGN_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn watch_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(location) = info.location()
                && !location.file().contains("tests/")
            {
                FOREIGN_PANICS.lock().unwrap_or_else(|p| p.into_inner()).push(info.to_string());
            }
            default(info);
        }));
    });
}

fn assert_no_foreign_panic() {
    let panics = FOREIGN_PANICS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(panics.is_empty(), "panics outside the tests: {panics:#?}");
}

/// Runs every fault of one request, each in a task of its own (a panic is a failed case, not a lost row).
async fn run_row(request: Request) {
    watch_panics();
    let started = Instant::now();
    let mut failures = Vec::new();
    let cases: Vec<_> = cases().into_iter().filter(|(r, _)| *r == request).collect();
    for &(request, fault) in &cases {
        if let Err(e) = tokio::spawn(run_case(request, fault)).await {
            let message = e.try_into_panic().ok().and_then(|p| {
                p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            });
            failures.push(message.unwrap_or_else(|| format!("{request:?} × {fault:?}: cancelled")));
        }
    }
    eprintln!("{request:?}: {} network fault cases in {:?}", cases.len(), started.elapsed());
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_no_foreign_panic();
}

#[tokio::test]
async fn network_faults_at_discovery_at_sign_in() {
    run_row(Request::DiscoveryAtSignIn).await;
}

#[tokio::test]
async fn network_faults_at_discovery_refetch_after_key_rotation() {
    run_row(Request::DiscoveryAtRotation).await;
}

#[tokio::test]
async fn network_faults_at_jwks_at_callback() {
    run_row(Request::JwksAtCallback).await;
}

#[tokio::test]
async fn network_faults_at_jwks_refetch_after_key_rotation() {
    run_row(Request::JwksAtRotation).await;
}

#[tokio::test]
async fn network_faults_at_code_exchange() {
    run_row(Request::CodeExchange).await;
}

#[tokio::test]
async fn network_faults_at_refresh() {
    run_row(Request::Refresh).await;
}

#[tokio::test]
async fn network_faults_at_user_info() {
    run_row(Request::UserInfo).await;
}

#[tokio::test]
async fn network_faults_at_revocation() {
    run_row(Request::Revocation).await;
}

/// A refresh answer cut by a reset mid-body is retried at once (the server may have rotated the token already;
/// Logto accepts the consumed one for a few seconds): the second answer is used and stored.
#[tokio::test]
async fn a_refresh_answer_cut_by_a_reset_is_retried_at_once() {
    let w = signed_in_world().await;
    w.op.push_token(refreshed(&w.op, &w.key, "rt-2"));
    w.op.push_token(refreshed(&w.op, &w.key, "rt-3"));
    w.front.arm_once(Endpoint::Token, Fault::ResetMidBody, Some("refresh_token")).await;
    w.client.get_access_token(Some(API), None).await.expect("the retry succeeds");
    assert_eq!(w.front.token.faulted(), 1);
    let replayed: Vec<_> = w.op.token_forms().iter().skip(1).map(|f| f["refresh_token"].clone()).collect();
    assert_eq!(replayed, ["rt-1", "rt-1"], "the same refresh token, twice");
    assert_eq!(doc(&w.storage)["session"]["refresh_token"], "rt-3");
}

/// The counterpart of the intermediary refusals above: an OAuth error from the server itself (RFC 6749 §5.2 body)
/// will not change on a retry, so the token leaves the queue; a 429 with one is still "later".
#[tokio::test]
async fn revocation_refused_by_the_server_itself_is_final() {
    for (answer, left) in [
        (Answer::json(400, json!({"error": "unsupported_token_type"})), 0),
        (Answer::json(401, json!({"error": "invalid_client"})), 0),
        (Answer::json(429, json!({"error": "slow_down"})), 1),
    ] {
        let w = signed_in_world().await;
        let what = format!("{} {}", answer.status, answer.body);
        *w.op.state.revocation.lock().unwrap() = Some(answer);
        w.client.sign_out(None).await.unwrap();
        assert_eq!(w.client.revoke_pending_tokens().await.unwrap(), left, "{what}");
        assert_eq!(doc(&w.storage)["pending_revocations"].as_array().unwrap().len(), left, "{what}");
    }
}

/// The table (request × fault → expected), and its size.
#[test]
fn network_fault_table() {
    let cases = cases();
    for (request, fault) in &cases {
        eprintln!("{request:?} × {fault:?} → {:?}", expected(*request, *fault));
    }
    eprintln!("{} network fault cases", cases.len());
    assert_eq!(cases.len(), REQUESTS.len() * Fault::NETWORK.len() + REVOCATION_EXTRA.len());
}

// ── Storage faults

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StorageFault {
    /// The N-th write returns an error (nothing written); later writes work.
    Fail,
    /// The N-th write and every later one are lost, as if the process died just before it.
    Crash,
}

/// Wraps what is "on disk" (`disk`) and what the process meant to write (`intended`, every write attempted).
struct FaultyStorage {
    disk: MemoryStorage,
    intended: MemoryStorage,
    writes: AtomicUsize,
    fault: Option<(usize, StorageFault)>,
}

impl FaultyStorage {
    fn new(fault: Option<(usize, StorageFault)>) -> Self {
        Self { disk: MemoryStorage::new(), intended: MemoryStorage::new(), writes: AtomicUsize::new(0), fault }
    }

    fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }

    /// What the process's write `n` does: `Ok(true)` written, `Ok(false)` silently lost, `Err` reported.
    fn write(&self) -> Result<bool, StorageError> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        match self.fault {
            Some((at, StorageFault::Fail)) if n == at => Err(StorageError::new("injected write failure")),
            Some((at, StorageFault::Crash)) if n >= at => Ok(false),
            _ => Ok(true),
        }
    }

    fn crashed(&self) -> bool {
        matches!(self.fault, Some((at, StorageFault::Crash)) if self.writes() >= at)
    }
}

impl Storage for FaultyStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        // After a "crash" the test keeps the process running: it reads what it wrote (nothing of it is on disk).
        if self.crashed() { self.intended.get(key) } else { self.disk.get(key) }
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.intended.set(key, value)?;
        if self.write()? {
            self.disk.set(key, value)?;
        }
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.intended.remove(key)?;
        if self.write()? {
            self.disk.remove(key)?;
        }
        Ok(())
    }
}

const ORG_SCOPE: &str = "urn:logto:scope:organizations";
/// The flow: a sign-in, a refresh, an organization token, a second sign-in on top of the session (its refresh token
/// replaced and revoked), a sign-out (revoked too). A refresh step names the refresh token it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlowStep {
    SignInUrl,
    Callback(&'static str),
    Refresh(&'static str),
    OrganizationToken(&'static str),
    SignOut,
}

const FLOW: [FlowStep; 7] = [
    FlowStep::SignInUrl,
    FlowStep::Callback("rt-1"),
    FlowStep::Refresh("rt-2"),
    FlowStep::OrganizationToken("rt-3"),
    FlowStep::SignInUrl,
    FlowStep::Callback("rt-4"),
    FlowStep::SignOut,
];

/// The session a document holds: its generation and the session without its access-token cache.
fn session_of(raw: Option<String>) -> Value {
    let doc: Value =
        raw.map(|raw| serde_json::from_str(&raw).expect("the stored document is JSON")).unwrap_or_default();
    let mut session = doc["session"].clone();
    if let Some(s) = session.as_object_mut() {
        s.remove("access_tokens");
    }
    json!({"generation": doc["generation"].as_u64().unwrap_or(0), "session": session})
}

struct Step {
    name: FlowStep,
    result: Result<(), String>,
    /// The writes it made (1-based).
    writes: std::ops::RangeInclusive<usize>,
    /// The session on disk after it, and the one it meant to leave (and, for a refresh, the previous one with the
    /// rotated refresh token: rule 3).
    on_disk: Value,
    meant: Value,
    rotated: Option<Value>,
}

struct FlowRun {
    steps: Vec<Step>,
    /// Sessions the flow may leave in storage.
    allowed: Vec<Value>,
}

/// Scripts the token endpoint's next answer, dropping one left by a step that never reached it.
fn answer_next_token_request(op: &FaultOp, answer: Answer) {
    let mut queue = op.state.token.lock().unwrap();
    queue.clear();
    queue.push_back(answer);
}

/// The flow on `storage`; waits for the background writes of each step (the JWKS prefetch, revocations).
async fn full_flow(op: &FaultOp, key: &TestKey, storage: &Arc<FaultyStorage>) -> FlowRun {
    let mut config = op.config();
    config.scopes = vec![ORG_SCOPE.into()];
    let client = LogtoClient::new(config, storage.clone()).unwrap();
    let mut run = FlowRun { steps: Vec::new(), allowed: vec![session_of(storage.disk.get(STORAGE_KEY).unwrap())] };
    let mut nonce = String::new();
    let mut callback = String::new();
    for step in FLOW {
        let first = storage.writes() + 1;
        let previous = session_of(storage.intended.get(STORAGE_KEY).unwrap());
        let previous_on_disk = session_of(storage.disk.get(STORAGE_KEY).unwrap());
        let result = match step {
            FlowStep::SignInUrl => match client.sign_in_url(SignInOptions::new(REDIRECT)).await {
                Ok(url) => {
                    let q: HashMap<String, String> =
                        url::Url::parse(&url).unwrap().query_pairs().into_owned().collect();
                    nonce = q["nonce"].clone();
                    callback = format!(
                        "{REDIRECT}?code=c&state={}&iss={}",
                        q["state"],
                        url::form_urlencoded::byte_serialize(op.issuer.as_bytes()).collect::<String>()
                    );
                    // The JWKS prefetch in the background writes the cache.
                    eventually("JWKS cached", || {
                        storage.intended.get(STORAGE_KEY).unwrap().is_some_and(|raw| raw.contains("\"keys\""))
                    })
                    .await;
                    Ok(())
                }
                Err(e) => Err(e),
            },
            FlowStep::Callback(refresh_token) => {
                let id_token = key.sign(&op.id_claims(&nonce));
                answer_next_token_request(
                    op,
                    Answer::json(200, FaultOp::token_body(Some(id_token), Some(refresh_token))),
                );
                let result = client.handle_sign_in_callback(&callback).await;
                // Waits for the revocation of a replaced session's refresh token (and its write).
                let _ = client.revoke_pending_tokens().await;
                result
            }
            FlowStep::Refresh(refresh_token) => {
                answer_next_token_request(op, refreshed(op, key, refresh_token));
                client.get_access_token(Some(API), None).await.map(|_| ())
            }
            FlowStep::OrganizationToken(refresh_token) => {
                answer_next_token_request(op, refreshed(op, key, refresh_token));
                client.get_organization_token("org-1").await.map(|_| ())
            }
            FlowStep::SignOut => {
                let result = client.sign_out(None).await.map(|_| ());
                // Waits for the background revocation (and its write).
                let _ = client.revoke_pending_tokens().await;
                result
            }
        };
        // The session the step meant to leave (also when it reported a failure: sign-out, for one, takes effect
        // in memory and reaches storage with the next write).
        let meant = session_of(storage.intended.get(STORAGE_KEY).unwrap());
        run.allowed.push(meant.clone());
        let rotated = match step {
            FlowStep::Refresh(rotated) | FlowStep::OrganizationToken(rotated) => {
                // Rule 3: the rotated refresh token is persisted before the rest of the refresh.
                let mut intermediate = previous.clone();
                intermediate["session"].is_object().then(|| {
                    intermediate["session"]["refresh_token"] = json!(rotated);
                    intermediate
                })
            }
            _ => None,
        };
        run.allowed.extend(rotated.clone());
        let written = storage.disk.get(STORAGE_KEY).unwrap();
        check_restart(op, &written, &run.allowed, &format!("{step:?}: {:?}", storage.fault)).await;
        // A refresh token replaced on disk by a sign-in or a sign-out (not a rotation) is queued for revocation on
        // disk, or revoked: never forgotten with the grant still alive.
        let replaced = previous_on_disk["session"]["refresh_token"].as_str();
        let now_on_disk = session_of(written.clone())["session"]["refresh_token"].clone();
        if let Some(replaced) = replaced.filter(|replaced| now_on_disk.as_str() != Some(replaced))
            && !matches!(step, FlowStep::Refresh(_) | FlowStep::OrganizationToken(_))
        {
            let queued = written.as_deref().is_some_and(|raw| raw.contains(&format!("\"token\":\"{replaced}\"")));
            assert!(
                queued || op.revoked().iter().any(|t| t == replaced),
                "{step:?}, {:?}: {replaced} neither queued nor revoked",
                storage.fault
            );
        }
        run.steps.push(Step {
            name: step,
            result: result.map_err(|e| e.code()),
            writes: first..=storage.writes(),
            on_disk: session_of(written),
            meant,
            rotated,
        });
    }
    run
}

/// Restarts on what was written (after every step, and at the end) and checks the session is readable and one the
/// flow allows.
async fn check_restart(op: &FaultOp, written: &Option<String>, allowed: &[Value], what: &str) -> Value {
    let session = session_of(written.clone());
    assert!(allowed.contains(&session), "{what}: a mixed session after the restart: {session:#}");
    let next = Arc::new(MemoryStorage::new());
    if let Some(written) = written {
        next.set(STORAGE_KEY, written).unwrap();
    }
    let restarted = LogtoClient::new(op.config(), next.clone()).unwrap();
    let signed_in = restarted.is_authenticated().await.unwrap_or_else(|e| panic!("{what}: unreadable: {e}"));
    assert_eq!(signed_in, session["session"].is_object(), "{what}");
    let refresh_token = restarted.get_refresh_token().await.unwrap_or_else(|e| panic!("{what}: unreadable: {e}"));
    assert_eq!(refresh_token.as_deref(), session["session"]["refresh_token"].as_str(), "{what}");
    if signed_in {
        let id_token = restarted.get_id_token().await.unwrap().unwrap();
        assert_eq!(Some(id_token.as_str()), session["session"]["id_token"].as_str(), "{what}");
        restarted.get_id_token_claims().await.unwrap_or_else(|e| panic!("{what}: unreadable ID token: {e}"));
    }
    session
}

#[tokio::test]
async fn storage_faults_at_every_write() {
    watch_panics();
    let started = Instant::now();
    let key = TestKey::es384("k1");
    let op = FaultOp::start().await;
    op.publish(&[&key]);

    // The clean run: how many writes, and where the flow ends.
    let clean = Arc::new(FaultyStorage::new(None));
    let run = full_flow(&op, &key, &clean).await;
    for step in &run.steps {
        assert!(step.result.is_ok(), "clean run, {:?}: {:?}", step.name, step.result);
        assert_eq!(step.on_disk, step.meant, "clean run, {:?}", step.name);
        eprintln!("clean run: {:?}: writes {:?}", step.name, step.writes);
    }
    let total = clean.writes();
    assert!(total >= 8, "every step writes: {total}");
    let end = check_restart(&op, &clean.disk.get(STORAGE_KEY).unwrap(), &run.allowed, "clean run").await;
    assert!(end["session"].is_null(), "signed out at the end");

    let mut cases = 0;
    for mode in [StorageFault::Fail, StorageFault::Crash] {
        for n in 1..=total {
            let what = format!("{mode:?} at write {n}");
            // An OP of its own: a flow cut short leaves scripted answers behind.
            let op = FaultOp::start().await;
            op.publish(&[&key]);
            let storage = Arc::new(FaultyStorage::new(Some((n, mode))));
            let run = full_flow(&op, &key, &storage).await;
            let mut outcomes = Vec::new();
            for step in &run.steps {
                let hit = step.writes.contains(&n);
                let name = step.name;
                match &step.result {
                    Err(code) => {
                        let allowed: &[&str] = match (mode, hit) {
                            // A write that fails is reported as such…
                            (StorageFault::Fail, true) => &["storage"],
                            // …and what follows from it is typed too (no pending sign-in, no session).
                            _ => &["sign_in_session.not_found", "not_authenticated"],
                        };
                        assert!(allowed.contains(&code.as_str()), "{what}, {name:?}: unexpected error {code}");
                        // A refresh that reports a storage failure has not persisted its session (a later write of
                        // the same call may have made up for the failed one: then there is nothing to report).
                        if code == "storage" && step.rotated.is_some() {
                            assert_ne!(step.on_disk, step.meant, "{what}, {name:?}: persisted, yet reported {code}");
                        }
                    }
                    // A step that reports success despite a failed write has its session on disk: what failed was
                    // a cache (or, in a refresh, the write after the rotated refresh token's).
                    Ok(()) if hit && mode == StorageFault::Fail => assert!(
                        step.on_disk == step.meant || Some(&step.on_disk) == step.rotated.as_ref(),
                        "{what}, {name:?}: reported success, but the session on disk is {:#}",
                        step.on_disk
                    ),
                    Ok(()) => {}
                }
                outcomes.push(format!(
                    "{name:?}{}: {}",
                    if hit { " (hit)" } else { "" },
                    match &step.result {
                        Ok(()) => "ok".to_string(),
                        Err(code) => code.clone(),
                    }
                ));
            }
            let session = check_restart(&op, &storage.disk.get(STORAGE_KEY).unwrap(), &run.allowed, &what).await;
            eprintln!(
                "{what}: {} → after restart: {}",
                outcomes.join(", "),
                session["session"]["refresh_token"].as_str().unwrap_or("signed out")
            );
            cases += 1;
        }
    }
    eprintln!("{cases} storage fault cases ({total} writes × 2 modes) in {:?}", started.elapsed());
    assert_eq!(cases, 2 * total);
    assert_no_foreign_panic();
}
