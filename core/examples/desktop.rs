//! A desktop app signing in with Logto through the system browser and a loopback redirect (RFC 8252 §7.3).
//!
//! ```text
//! desktop --endpoint http://127.0.0.1:3001 [--app-id dev-native-app] [--browser-command "<cmd>"]
//!         [--direct-sign-in social:alipay] [--first-screen register] [--extra-param k=v]... [--no-sign-out]
//! ```
//!
//! It listens on `127.0.0.1:<ephemeral port>`, opens the authorization URL with the browser command (default
//! `$BROWSER`, else `xdg-open`), waits for the redirect (Ctrl-C cancels: the app cannot see the browser being
//! closed), completes the sign-in, prints `isAuthenticated` and the ID token claims, then signs out and prints
//! `isAuthenticated` again.
//!
//! Sign-out opens the end-session URL **without** a post-logout redirect: Logto matches `post_logout_redirect_uri`
//! exactly (the any-port rule of RFC 8252 is for `redirect_uri` only), so an app on an ephemeral loopback port has
//! no URI it could register; Logto then shows its own "signed out" page. An app that needs the browser back
//! registers a fixed URI (a custom scheme, or a loopback URI on a fixed port) and passes it to `sign_out`.
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use logto_core::{DirectSignIn, FirstScreen, LogtoClient, LogtoConfig, LogtoError, MemoryStorage, SignInOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const WAIT_FOR_BROWSER: Duration = Duration::from_secs(120);

struct Args {
    endpoint: String,
    app_id: String,
    browser_command: String,
    direct_sign_in: Option<String>,
    first_screen: Option<String>,
    extra_params: Vec<(String, String)>,
    sign_out: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        endpoint: String::new(),
        app_id: "dev-native-app".into(),
        browser_command: std::env::var("BROWSER").unwrap_or_else(|_| "xdg-open".into()),
        direct_sign_in: None,
        first_screen: None,
        extra_params: Vec::new(),
        sign_out: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--endpoint" => args.endpoint = value()?,
            "--app-id" => args.app_id = value()?,
            "--browser-command" => args.browser_command = value()?,
            "--direct-sign-in" => args.direct_sign_in = Some(value()?),
            "--first-screen" => args.first_screen = Some(value()?),
            "--extra-param" => {
                let kv = value()?;
                let (k, v) = kv.split_once('=').ok_or("--extra-param takes key=value")?;
                args.extra_params.push((k.into(), v.into()));
            }
            "--no-sign-out" => args.sign_out = false,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.endpoint.is_empty() {
        return Err("--endpoint is required".into());
    }
    Ok(args)
}

/// Like `xdg-open`: start the browser; the returned launcher is not waited for (the redirect tells the outcome).
fn open_browser(command: &str, url: &str) -> Result<tokio::process::Child, LogtoError> {
    tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("sh")
        .arg(url)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| LogtoError::Network { message: format!("cannot start the browser: {e}") })
}

/// A browser request that reached the app's loopback listener; answered once the app knows the outcome.
struct Redirect {
    url: String,
    stream: TcpStream,
}

impl Redirect {
    async fn answer(mut self, title: &str, detail: &str) {
        let html = format!(
            "<!doctype html><meta charset=utf-8><title>Logto desktop demo</title><h1 id=\"app-result\">{title}</h1><p>{detail}</p>"
        );
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
            html.len()
        );
        let _ = self.stream.write_all(response.as_bytes()).await;
        let _ = self.stream.shutdown().await;
    }
}

/// Accepts connections until one asks for `path` (others get a 404) and returns it unanswered. Every request that
/// reaches the app is reported on stderr, by path only (the query carries the authorization code).
async fn wait_for_redirect(listener: &TcpListener, path: &str) -> std::io::Result<Redirect> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let mut buf = vec![0u8; 16 * 1024];
        let n = stream.read(&mut buf).await?;
        let request = String::from_utf8_lossy(&buf[..n]);
        let target = request.split_whitespace().nth(1).unwrap_or("/").to_string();
        let target_path = target.split('?').next().unwrap_or("/");
        eprintln!("The browser came back to the app: {target_path}");
        if target_path == path {
            let url = format!("http://{}{target}", listener.local_addr()?);
            return Ok(Redirect { url, stream });
        }
        let body = "<h1>Not found</h1>";
        let response =
            format!("HTTP/1.1 404 Not Found\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        stream.write_all(response.as_bytes()).await.ok();
    }
}

/// Waits for the browser to come back to `path`. A failed sign-in at the IdP (for example an error at Alipay) keeps
/// the person on the IdP's page and sends nothing here, and closing the browser is invisible to a loopback listener:
/// the person cancels with Ctrl-C (`user_cancelled`), or the wait times out.
async fn wait(listener: &TcpListener, path: &str) -> Result<Redirect, LogtoError> {
    eprintln!("Waiting for the browser (Ctrl-C cancels)…");
    tokio::select! {
        redirect = tokio::time::timeout(WAIT_FOR_BROWSER, wait_for_redirect(listener, path)) => redirect
            .map_err(|_| LogtoError::Timeout)?
            .map_err(|e| LogtoError::Network { message: e.to_string() }),
        _ = tokio::signal::ctrl_c() => Err(LogtoError::UserCancelled),
    }
}

async fn run(args: Args) -> Result<(), LogtoError> {
    // RFC 8252 §8.3: bind to the loopback interface only, on an ephemeral port.
    let listener =
        TcpListener::bind("127.0.0.1:0").await.map_err(|e| LogtoError::Network { message: e.to_string() })?;
    let origin =
        format!("http://{}", listener.local_addr().map_err(|e| LogtoError::Network { message: e.to_string() })?);
    let redirect_uri = format!("{origin}/callback");

    let mut config = LogtoConfig::new(&args.endpoint, &args.app_id);
    config.scopes = vec!["email".into()];
    let client = LogtoClient::new(config, Arc::new(MemoryStorage::new()))?;

    let mut options = SignInOptions::new(&redirect_uri);
    options.direct_sign_in = args.direct_sign_in.as_deref().map(DirectSignIn::parse).transpose()?;
    options.first_screen = args.first_screen.as_deref().map(FirstScreen::parse).transpose()?;
    options.extra_params = args.extra_params;
    let url = client.sign_in_url(options).await?;
    eprintln!("Opening the system browser to sign in…");
    let _browser = open_browser(&args.browser_command, &url)?;
    let redirect = wait(&listener, "/callback").await?;
    match client.handle_sign_in_callback(&redirect.url).await {
        Ok(()) => redirect.answer("Signed in", "You can close this window and return to the app.").await,
        Err(e) => {
            redirect.answer("Sign-in failed", &html_escape(&format!("{}: {e}", e.code()))).await;
            return Err(e);
        }
    }

    println!("isAuthenticated: {}", client.is_authenticated().await?);
    let claims = client.get_id_token_claims().await?;
    println!("ID token claims:\n{}", serde_json::to_string_pretty(&claims).unwrap_or_default());

    if args.sign_out {
        // No post-logout redirect: an ephemeral loopback port cannot be registered (see the header).
        let end_session = client.sign_out(None).await?;
        println!("isAuthenticated: {}", client.is_authenticated().await?);
        eprintln!("Opening the system browser to end the IdP's browser session…");
        let mut browser = open_browser(&args.browser_command, &end_session)?;
        // Nothing comes back to the app; only let the browser launcher return before exiting (xdg-open returns at
        // once; a browser command that blocks until the page is done is given a bounded time).
        tokio::select! {
            _ = tokio::time::timeout(WAIT_FOR_BROWSER, browser.wait()) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        // Sign-out revokes the refresh token in the background; a process about to exit finishes that first. (With
        // a persistent storage a token that cannot be revoked now stays queued and is revoked at the next start.)
        let waiting = client.revoke_pending_tokens().await?;
        if waiting > 0 {
            eprintln!("{waiting} refresh token(s) could not be revoked (the server did not answer)");
        }
    }
    Ok(())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(args).await {
        eprintln!("sign-in failed: {}: {e}", e.code());
        std::process::exit(1);
    }
}
