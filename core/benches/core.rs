//! Benchmarks of the user-facing operations (public API only), against the in-process test OP over loopback.
//!
//! `cargo bench -p logto-core` prints, per operation, the time criterion measured:
//! - `sign_in_url`: PKCE verifier + challenge, state, nonce (OS CSPRNG), URL, one storage write (discovery cached).
//! - `callback_es384`: callback checks + token request over loopback HTTP + ES384 ID-token verification + storage.
//! - `access_token_cached`: the hot path of an app asking for a token it already has.
//! - `id_token_claims`: decoding the stored ID token's claims.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../tests/support/fault_op.rs"]
mod fault_op;
#[path = "../tests/support/keys.rs"]
mod keys;

use fault_op::{Answer, FaultOp, start_sign_in};

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let key = keys::TestKey::es384("k1");
    let (op, client) = runtime.block_on(async {
        let op = FaultOp::start().await;
        op.publish(&[&key]);
        let client = op.client();
        client.prefetch().await.unwrap();
        (op, client)
    });

    c.bench_function("sign_in_url", |b| {
        b.to_async(&runtime).iter(|| async {
            black_box(client.sign_in_url(logto_core::SignInOptions::new("com.example.app://callback")).await.unwrap())
        })
    });

    c.bench_function("callback_es384", |b| {
        b.to_async(&runtime).iter(|| async {
            let started = start_sign_in(&op, &client).await;
            let id_token = key.sign(&op.id_claims(&started.nonce));
            op.push_token(Answer::json(200, FaultOp::token_body(Some(id_token), Some("rt"))));
            client.handle_sign_in_callback(&started.callback).await.unwrap();
        })
    });

    c.bench_function("access_token_cached", |b| {
        b.to_async(&runtime).iter(|| async { black_box(client.get_access_token(None, None).await.unwrap()) })
    });

    c.bench_function("id_token_claims", |b| {
        b.to_async(&runtime).iter(|| async { black_box(client.get_id_token_claims().await.unwrap()) })
    });
}

criterion_group! {
    name = core;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(core);
