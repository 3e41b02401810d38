//! The flow of tools/bench through logto-core, as an app does it: a new client, the sign-in URL, the headless
//! sign-in (a browser stand-in in another process), the callback (code exchange, ID-token verification), the ID
//! token's claims, a resource's access token (refresh grant, refreshed ID token verified), a forced refresh of that
//! token, user info. Every verification is on.
//!
//! Protocol (stdin/stdout, one line each): `run <n>` → runs n flows, answers one JSON line
//! `{"cpu_us": [...], "wall_us": [...]}`: per flow, this process's CPU time (user + system, all threads,
//! `getrusage(RUSAGE_SELF)`) and the wall time. Built with the workspace's release profile, the one the native
//! library ships with.

use std::sync::Arc;
use std::time::Instant;

use logto_core::{GetAccessTokenOptions, LogtoClient, LogtoConfig, MemoryStorage, SignInOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const CLIENT_ID: &str = "dev-native-app";
const REDIRECT_URI: &str = "com.example.app://callback";
const RESOURCE: &str = "https://api.example.com";

struct Browser {
    _child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Browser {
    fn start(node: &str, script: &str) -> Browser {
        let mut child = Command::new(node)
            .arg(script)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("browser stand-in");
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Browser { _child: child, stdin, lines }
    }

    async fn sign_in(&mut self, url: &str) -> String {
        self.stdin.write_all(format!("{url}\n").as_bytes()).await.unwrap();
        let line = self.lines.next_line().await.unwrap().expect("browser closed");
        assert!(!line.starts_with("ERROR"), "browser: {line}");
        line
    }
}

fn cpu_us() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let us = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    us(usage.ru_utime) + us(usage.ru_stime)
}

async fn flow(endpoint: &str, browser: &mut Browser) {
    // 1. a new client
    let mut config = LogtoConfig::new(endpoint, CLIENT_ID);
    config.resources = vec![RESOURCE.into()];
    config.scopes = vec!["read:data".into()];
    let client = LogtoClient::new(config, Arc::new(MemoryStorage::new())).unwrap();
    // 2–3. the sign-in URL (discovery; the JWKS is fetched in the background), the headless sign-in
    let mut options = SignInOptions::new(REDIRECT_URI);
    options.extra_params = vec![("dev_login".into(), "alice".into())];
    let url = client.sign_in_url(options).await.unwrap();
    let callback = browser.sign_in(&url).await;
    // 4. the callback: code exchange, ID-token verification
    client.handle_sign_in_callback(&callback).await.unwrap();
    // 5. ID-token claims
    assert_eq!(client.get_id_token_claims().await.unwrap().sub, "user_alice");
    // 6. the resource's access token (refresh grant)
    let first = client.get_access_token(Some(RESOURCE), None).await.unwrap();
    // 7. a forced refresh of that token
    let forced = GetAccessTokenOptions { force_refresh: true };
    let second = client.get_access_token_with_options(Some(RESOURCE), None, forced).await.unwrap();
    assert!(first != second && second.split('.').count() == 3, "forced refresh returned the same token");
    // 8. user info
    assert_eq!(client.fetch_user_info().await.unwrap().sub, "user_alice");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, endpoint, node, browser_script] = &args[..] else {
        panic!("usage: logto-bench <endpoint> <node> <browser.mjs>");
    };
    let mut browser = Browser::start(node, browser_script);
    let mut commands = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    while let Some(line) = commands.next_line().await.unwrap() {
        let n: usize = line.trim_start_matches("run ").trim().parse().expect("run <n>");
        let (mut cpu, mut wall) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let (c0, w0) = (cpu_us(), Instant::now());
            flow(endpoint, &mut browser).await;
            cpu.push(cpu_us() - c0);
            wall.push(w0.elapsed().as_micros() as u64);
        }
        let answer = serde_json::json!({ "cpu_us": cpu, "wall_us": wall });
        out.write_all(format!("{answer}\n").as_bytes()).await.unwrap();
        out.flush().await.unwrap();
    }
}
