//! A byte-level fault front: a raw-TCP proxy in front of the scripted OP (`fault_op.rs`), one port per endpoint
//! (discovery, JWKS, token, user info, revocation), that forwards every request and injects one network fault into
//! those it is armed for. Every answer it relays says `connection: close`, so each request opens a connection of its
//! own and "connection refused" can be a closed port.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

use super::fault_op::FaultOp;

/// A network fault, injected at the byte level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens on the endpoint's port: the TCP connection is refused.
    Refused,
    /// The server's headers and half its body (half its headers if it has no body), then a TCP reset (SO_LINGER 0).
    ResetMidBody,
    /// `503 Service Unavailable`, `text/plain` (the request never reaches the OP).
    ServerError,
    /// The server's headers and half its body (half its headers if it has no body), then nothing: the answer never
    /// ends.
    StalledBody,
    /// Half the server's body, with a `Content-Length` that matches the cut body.
    TruncatedJson,
    /// The server's body padded with whitespace to one byte over the size cap, without `Content-Length`.
    Oversized,
    /// The server's answer, labelled `text/html` instead of `application/json`.
    WrongContentType,
    /// A proxy's `502 Bad Gateway` HTML page.
    HtmlErrorPage,
    /// An intermediary's `429 Too Many Requests` HTML page (rate limiting in front of the OP).
    TooManyRequestsHtml,
    /// An intermediary's `403 Forbidden` HTML page (a WAF in front of the OP).
    ForbiddenHtml,
}

impl Fault {
    /// The faults enumerated at every request.
    pub const NETWORK: [Fault; 8] = [
        Fault::Refused,
        Fault::ResetMidBody,
        Fault::ServerError,
        Fault::StalledBody,
        Fault::TruncatedJson,
        Fault::Oversized,
        Fault::WrongContentType,
        Fault::HtmlErrorPage,
    ];
}

/// The endpoints the core calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Discovery,
    Jwks,
    Token,
    UserInfo,
    Revocation,
}

#[derive(Clone, Copy)]
struct Armed {
    fault: Fault,
    /// Only `/token` requests with this `grant_type`.
    grant_type: Option<&'static str>,
    /// How many more requests get the fault (`None`: all).
    remaining: Option<usize>,
}

struct PortState {
    backend: Mutex<Option<SocketAddr>>,
    armed: Mutex<Option<Armed>>,
    /// Requests that got the fault.
    faulted: AtomicUsize,
    max_body: usize,
}

/// One endpoint's port.
pub struct Port {
    pub addr: SocketAddr,
    state: Arc<PortState>,
    accept: Mutex<Option<JoinHandle<()>>>,
    /// While refusing: the port, bound but not listening, so that nothing else (another test's listener, an
    /// outgoing connection) takes it meanwhile.
    reserved: Mutex<Option<TcpSocket>>,
}

fn listen(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    // The port is closed and opened again (Fault::Refused): connections of the previous listener may linger.
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket.listen(64).unwrap()
}

impl Port {
    fn bind(max_body: usize) -> Port {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(PortState {
            backend: Mutex::new(None),
            armed: Mutex::new(None),
            faulted: AtomicUsize::new(0),
            max_body,
        });
        let port = Port { addr, state, accept: Mutex::new(None), reserved: Mutex::new(None) };
        port.serve(listener);
        port
    }

    fn serve(&self, listener: TcpListener) {
        let state = Arc::clone(&self.state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(relay(stream, Arc::clone(&state)));
            }
        });
        *self.accept.lock().unwrap() = Some(task);
    }

    async fn arm(&self, fault: Fault, grant_type: Option<&'static str>, remaining: Option<usize>) {
        *self.state.armed.lock().unwrap() = Some(Armed { fault, grant_type, remaining });
        if fault == Fault::Refused {
            let task = self.accept.lock().unwrap().take();
            if let Some(task) = task {
                task.abort();
                // The listener is dropped with the task: from now on connections are refused.
                let _ = task.await;
                let reserved = TcpSocket::new_v4().unwrap();
                reserved.set_reuseaddr(true).unwrap();
                reserved.bind(self.addr).unwrap();
                *self.reserved.lock().unwrap() = Some(reserved);
            }
        }
    }

    async fn disarm(&self) {
        *self.state.armed.lock().unwrap() = None;
        if self.accept.lock().unwrap().is_none() {
            drop(self.reserved.lock().unwrap().take());
            self.serve(listen(self.addr));
        }
    }

    pub fn faulted(&self) -> usize {
        self.state.faulted.load(Ordering::SeqCst)
    }
}

/// The five ports, in front of one OP.
pub struct FaultFront {
    pub discovery: Port,
    pub jwks: Port,
    pub token: Port,
    pub userinfo: Port,
    pub revocation: Port,
}

impl FaultFront {
    /// Binds the ports; `max_body` is the client's response size cap (for [`Fault::Oversized`]).
    pub fn bind(max_body: usize) -> FaultFront {
        FaultFront {
            discovery: Port::bind(max_body),
            jwks: Port::bind(max_body),
            token: Port::bind(max_body),
            userinfo: Port::bind(max_body),
            revocation: Port::bind(max_body),
        }
    }

    /// The endpoint (and issuer base) clients use: the discovery port.
    pub fn base(&self) -> String {
        format!("http://{}", self.discovery.addr)
    }

    fn ports(&self) -> [&Port; 5] {
        [&self.discovery, &self.jwks, &self.token, &self.userinfo, &self.revocation]
    }

    pub fn port(&self, endpoint: Endpoint) -> &Port {
        match endpoint {
            Endpoint::Discovery => &self.discovery,
            Endpoint::Jwks => &self.jwks,
            Endpoint::Token => &self.token,
            Endpoint::UserInfo => &self.userinfo,
            Endpoint::Revocation => &self.revocation,
        }
    }

    /// Forwards to `op` (started behind [`base`](Self::base)) and points its discovery document at the ports.
    pub fn front(&self, op: &FaultOp) {
        for port in self.ports() {
            *port.state.backend.lock().unwrap() = Some(op.addr);
        }
        let at = |port: &Port, path: &str| serde_json::json!(format!("http://{}/oidc/{path}", port.addr));
        op.set_discovery("jwks_uri", at(&self.jwks, "keys-7f3a"));
        op.set_discovery("token_endpoint", at(&self.token, "token"));
        op.set_discovery("userinfo_endpoint", at(&self.userinfo, "me"));
        op.set_discovery("revocation_endpoint", at(&self.revocation, "token/revocation"));
    }

    /// Injects `fault` into every request to `endpoint` (for `/token`, those with `grant_type`) until disarmed.
    pub async fn arm(&self, endpoint: Endpoint, fault: Fault, grant_type: Option<&'static str>) {
        self.port(endpoint).arm(fault, grant_type, None).await;
    }

    /// Injects `fault` into the next matching request only (not [`Fault::Refused`]).
    pub async fn arm_once(&self, endpoint: Endpoint, fault: Fault, grant_type: Option<&'static str>) {
        assert_ne!(fault, Fault::Refused, "a closed port refuses every connection");
        self.port(endpoint).arm(fault, grant_type, Some(1)).await;
    }

    pub async fn disarm(&self, endpoint: Endpoint) {
        self.port(endpoint).disarm().await;
    }
}

/// An HTTP/1.1 message as read off the wire (bodies with `Content-Length` only: neither reqwest's form posts nor
/// axum's answers are chunked).
struct Message {
    raw: Vec<u8>,
    head: String,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    fn status_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }
}

async fn read_message(stream: &mut TcpStream) -> Option<Message> {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut message = Message { raw: Vec::new(), head, body: Vec::new() };
    assert!(message.header("transfer-encoding").is_none(), "fault front: chunked bodies are not supported");
    let length: usize = message.header("content-length").map_or(0, |v| v.parse().unwrap());
    while raw.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    message.body = raw[head_end..head_end + length].to_vec();
    message.raw = raw;
    Some(message)
}

fn head(status_line: &str, content_type: Option<&str>, length: Option<usize>) -> Vec<u8> {
    let mut head = format!("{status_line}\r\n");
    if let Some(content_type) = content_type {
        head.push_str(&format!("content-type: {content_type}\r\n"));
    }
    if let Some(length) = length {
        head.push_str(&format!("content-length: {length}\r\n"));
    }
    head.push_str("connection: close\r\n\r\n");
    head.into_bytes()
}

fn grant_type(form: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(form).find(|(k, _)| k == "grant_type").map(|(_, v)| v.into_owned())
}

async fn forward(backend: SocketAddr, request: &Message) -> Message {
    let mut upstream = TcpStream::connect(backend).await.unwrap();
    upstream.write_all(&request.raw).await.unwrap();
    read_message(&mut upstream).await.expect("the OP answers")
}

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

async fn relay(mut client: TcpStream, state: Arc<PortState>) {
    let Some(request) = read_message(&mut client).await else { return };
    let backend = state.backend.lock().unwrap().expect("fault front: no OP behind");
    let fault = {
        let mut armed = state.armed.lock().unwrap();
        match armed.as_mut() {
            Some(a)
                if a.grant_type.is_none_or(|g| grant_type(&request.body).as_deref() == Some(g))
                    && a.remaining != Some(0) =>
            {
                a.remaining = a.remaining.map(|r| r - 1);
                Some(a.fault)
            }
            _ => None,
        }
    };
    if fault.is_some() {
        state.faulted.fetch_add(1, Ordering::SeqCst);
    }
    // Answers of an intermediary: the request never reaches the OP.
    let canned = match fault {
        Some(Fault::ServerError) => Some(("HTTP/1.1 503 Service Unavailable", "text/plain", "Service Unavailable")),
        Some(Fault::HtmlErrorPage) => Some(("HTTP/1.1 502 Bad Gateway", "text/html", HTML_502)),
        Some(Fault::TooManyRequestsHtml) => Some((
            "HTTP/1.1 429 Too Many Requests",
            "text/html",
            "<html><body><h1>Too Many Requests</h1></body></html>",
        )),
        Some(Fault::ForbiddenHtml) => {
            Some(("HTTP/1.1 403 Forbidden", "text/html", "<html><body><h1>403 Forbidden</h1></body></html>"))
        }
        _ => None,
    };
    if let Some((status, content_type, body)) = canned {
        let _ = client.write_all(&head(status, Some(content_type), Some(body.len()))).await;
        let _ = client.write_all(body.as_bytes()).await;
        let _ = client.shutdown().await;
        return;
    }
    let response = forward(backend, &request).await;
    let status = response.status_line().to_owned();
    let content_type = response.header("content-type").map(str::to_owned);
    let body = response.body;
    let half = &body[..body.len() / 2];
    // The answer cut in the middle: in its body, or in its head when it has no body (a revocation's 200).
    let cut = |head: Vec<u8>| {
        let mut bytes = head;
        if body.is_empty() {
            bytes.truncate(bytes.len() / 2);
        } else {
            bytes.extend_from_slice(half);
        }
        bytes
    };
    match fault {
        None => {
            let _ = client.write_all(&head(&status, content_type.as_deref(), Some(body.len()))).await;
            let _ = client.write_all(&body).await;
            let _ = client.shutdown().await;
        }
        Some(Fault::ResetMidBody) => {
            let _ = client.write_all(&cut(head(&status, content_type.as_deref(), Some(body.len())))).await;
            let _ = client.flush().await;
            tokio::time::sleep(Duration::from_millis(20)).await;
            // SO_LINGER 0: closing sends RST instead of FIN.
            let _ = client.set_zero_linger();
            drop(client);
        }
        Some(Fault::StalledBody) => {
            let _ = client.write_all(&cut(head(&status, content_type.as_deref(), Some(body.len())))).await;
            // Holds the connection open until the client gives up (or a safety limit).
            let mut byte = [0u8; 1];
            let _ = tokio::time::timeout(Duration::from_secs(20), client.read(&mut byte)).await;
        }
        Some(Fault::TruncatedJson) => {
            let _ = client.write_all(&head(&status, content_type.as_deref(), Some(half.len()))).await;
            let _ = client.write_all(half).await;
            let _ = client.shutdown().await;
        }
        Some(Fault::Oversized) => {
            // Still valid JSON (trailing whitespace), so only the cap can refuse it; close-delimited, so the client
            // cannot refuse it early by its Content-Length.
            let mut padded = body.clone();
            padded.resize(state.max_body + 1, b' ');
            let _ = client.write_all(&head(&status, content_type.as_deref(), None)).await;
            let _ = client.write_all(&padded).await;
            let _ = client.shutdown().await;
        }
        Some(Fault::WrongContentType) => {
            let _ = client.write_all(&head(&status, Some("text/html; charset=utf-8"), Some(body.len()))).await;
            let _ = client.write_all(&body).await;
            let _ = client.shutdown().await;
        }
        Some(
            Fault::Refused
            | Fault::ServerError
            | Fault::HtmlErrorPage
            | Fault::TooManyRequestsHtml
            | Fault::ForbiddenHtml,
        ) => {}
    }
}
