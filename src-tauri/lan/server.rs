//! The laptop's HTTPS port: TLS 1.3 with its own certificate, five routes.
//!
//! - `POST /pair/start`, `POST /pair/confirm`: pairing (see [`super::pairing`])
//! - `POST /requests`: a callback request from a paired kiosk
//! - `POST /health`: a paired kiosk's health report, answered with any pack offered to it
//! - `POST /pack`: the content pack offered to a paired kiosk (see [`super::fleet`])
//!
//! Anyone on the LAN can connect, so every stage has a bound ([`Limits`]): the TLS handshake,
//! the request head (which also bounds a kept-alive connection waiting for its next request),
//! the body (a size cap, checked on the declared length before any byte and while reading),
//! and silence either way; at most so many connections in all and from one address (more are
//! closed at once). A refused request closes its connection. Refusals are logged once per
//! address per interval through [`super::RefusalLog`].

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use super::{escaped, fleet, FrontDesk, PairConfirm, PairStart};

/// How long each stage of a connection may take, and how many connections there may be.
#[derive(Debug, Clone)]
pub struct Limits {
    /// The TLS handshake, from the TCP connection.
    pub handshake: Duration,
    /// A request's head (request line and headers), from when the laptop is ready for it:
    /// also how long a kept-alive connection may wait for its next request.
    pub header: Duration,
    /// A request's body, from the end of its head.
    pub body: Duration,
    /// Silence: no byte read or written for this long closes the connection.
    pub idle: Duration,
    /// The largest body read (a callback request is about 1 KB).
    pub max_body: usize,
    /// Open connections at most, in all ...
    pub max_connections: usize,
    /// ... and from one address.
    pub max_per_source: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handshake: Duration::from_secs(10),
            header: Duration::from_secs(10),
            body: Duration::from_secs(10),
            idle: Duration::from_secs(10),
            max_body: 64 * 1024,
            max_connections: 64,
            max_per_source: 8,
        }
    }
}

/// The largest request head read (hyper's floor is 8 KB).
const MAX_HEAD: usize = 16 * 1024;
/// Headers in one request, at most.
const MAX_HEADERS: usize = 32;

fn reply(status: u16, body: impl Into<Bytes>, json: bool) -> Response<Full<Bytes>> {
    let kind = if json {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    reply_as(status, body, kind)
}

fn reply_as(status: u16, body: impl Into<Bytes>, kind: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(kind),
    );
    if status >= 400 {
        // A refused client does not keep the connection.
        response.headers_mut().insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
    response
}

/// Reads the body within the limits: `Err` is the answer when it is too large or too slow.
async fn read_body(
    front: &FrontDesk,
    limits: &Limits,
    source: IpAddr,
    headers: &hyper::HeaderMap,
    body: Incoming,
) -> Result<Bytes, (u16, &'static str)> {
    let now = crate::callbacks::now_ms();
    let declared = headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body as u64) {
        front.refusals.warn(
            source,
            now,
            &format!(
                "a body of {} bytes (at most {})",
                declared.unwrap_or_default(),
                limits.max_body
            ),
        );
        return Err((413, "body too large"));
    }
    match tokio::time::timeout(limits.body, Limited::new(body, limits.max_body).collect()).await {
        Ok(Ok(b)) => Ok(b.to_bytes()),
        Ok(Err(err)) if err.is::<http_body_util::LengthLimitError>() => {
            front.refusals.warn(
                source,
                now,
                &format!("a body over {} bytes", limits.max_body),
            );
            Err((413, "body too large"))
        }
        Ok(Err(_)) => Err((400, "the body could not be read")),
        Err(_) => {
            front.refusals.warn(
                source,
                now,
                &format!("a body not sent within {} s", limits.body.as_secs_f32()),
            );
            Err((408, "the body was too slow"))
        }
    }
}

async fn handle(
    front: Arc<FrontDesk>,
    limits: Arc<Limits>,
    source: IpAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    if parts.method != hyper::Method::POST {
        front.refusals.warn(
            source,
            crate::callbacks::now_ms(),
            &format!(
                "{} {}",
                escaped(parts.method.as_str(), 16),
                escaped(parts.uri.path(), 80)
            ),
        );
        return Ok(reply(405, "POST only", false));
    }
    let route = parts.uri.path().to_string();
    if !matches!(
        route.as_str(),
        "/pair/start" | "/pair/confirm" | "/requests" | "/health" | "/pack"
    ) {
        front.refusals.warn(
            source,
            crate::callbacks::now_ms(),
            &format!("POST {}", escaped(&route, 80)),
        );
        return Ok(reply(404, "no such path", false));
    }
    let body = match read_body(&front, &limits, source, &parts.headers, body).await {
        Ok(body) => body,
        Err((status, why)) => return Ok(reply(status, why, false)),
    };
    // Signatures, SPAKE2 and SQLite work off the async threads.
    let worked = tokio::task::spawn_blocking(move || {
        let now = crate::callbacks::now_ms();
        let answer = match route.as_str() {
            "/pair/start" => match serde_json::from_slice::<PairStart>(&body) {
                Ok(start) => match front.pair_start(&start, source, now) {
                    Ok(r) => return reply(200, serde_json::to_vec(&r).unwrap_or_default(), true),
                    Err(e) => e,
                },
                Err(_) => (400, "bad pairing message".into()),
            },
            "/pair/confirm" => match serde_json::from_slice::<PairConfirm>(&body) {
                Ok(confirm) => match front.pair_confirm(&confirm, source, now) {
                    Ok(r) => return reply(200, serde_json::to_vec(&r).unwrap_or_default(), true),
                    Err(e) => e,
                },
                Err(_) => (400, "bad pairing message".into()),
            },
            route => {
                let header = |name: &str| {
                    parts
                        .headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                let fleet = match route {
                    "/health" => front.receive_health(source, header, &body, now),
                    "/pack" => front.send_pack(source, header, &body, now),
                    _ => fleet::Reply::Text(front.receive(source, header, &body, now)),
                };
                match fleet {
                    fleet::Reply::Json(status, body) => return reply(status, body, true),
                    fleet::Reply::Pack(sending) => {
                        // The bytes own the place they hold until the last one is sent.
                        return reply_as(
                            200,
                            Bytes::from_owner(sending),
                            "application/octet-stream",
                        );
                    }
                    fleet::Reply::Text(answer) => answer,
                }
            }
        };
        reply(answer.0, answer.1, false)
    })
    .await;
    Ok(worked.unwrap_or_else(|_| reply(500, "internal error", false)))
}

/// Open connections, in all and per address.
struct Slots {
    max: usize,
    max_per_source: usize,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One open connection; its slot is given back when dropped.
struct Slot {
    slots: Arc<Slots>,
    source: IpAddr,
}

impl Slots {
    fn take(self: &Arc<Self>, source: IpAddr) -> Result<Slot, &'static str> {
        let mut open = self.open.lock().map_err(|_| "busy")?;
        if open.0 >= self.max {
            return Err("a connection over the limit for all addresses");
        }
        let mine = open.1.entry(source).or_insert(0);
        if *mine >= self.max_per_source {
            return Err("a connection over the limit for one address");
        }
        *mine += 1;
        open.0 += 1;
        Ok(Slot {
            slots: self.clone(),
            source,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.slots.open.lock() {
            open.0 = open.0.saturating_sub(1);
            if let Some(n) = open.1.get_mut(&self.source) {
                *n -= 1;
                if *n == 0 {
                    open.1.remove(&self.source);
                }
            }
        }
    }
}

/// When bytes last went each way on a connection, in ms since it started (0: never).
#[derive(Default)]
struct Activity {
    read: AtomicU64,
    written: AtomicU64,
}

impl Activity {
    fn last(&self) -> u64 {
        self.read
            .load(Ordering::Relaxed)
            .max(self.written.load(Ordering::Relaxed))
    }

    /// A response went out and nothing came since: a kept-alive connection between requests.
    fn between_requests(&self) -> bool {
        let written = self.written.load(Ordering::Relaxed);
        written > 0 && self.read.load(Ordering::Relaxed) <= written
    }
}

/// A stream that notes when a byte last went either way.
struct Watched<T> {
    inner: T,
    start: Instant,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64 + 1
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            let now = self.now();
            self.activity.read.store(now, Ordering::Relaxed);
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            let now = self.now();
            self.activity.written.store(now, Ordering::Relaxed);
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `front` on `listener` with the default [`Limits`] until the runtime stops.
pub async fn serve(front: Arc<FrontDesk>, listener: TcpListener) {
    serve_with(front, listener, Limits::default()).await;
}

/// Serves `front` on `listener` until the runtime stops. Each connection is TLS 1.3 with the
/// laptop's certificate, within `limits`.
pub async fn serve_with(front: Arc<FrontDesk>, listener: TcpListener, limits: Limits) {
    let config = match front.identity.server_config() {
        Ok(c) => Arc::new(c),
        Err(err) => {
            tracing::error!("the front-desk port cannot use its certificate: {err}");
            return;
        }
    };
    let acceptor = TlsAcceptor::from(config);
    let slots = Arc::new(Slots {
        max: limits.max_connections,
        max_per_source: limits.max_per_source,
        open: Mutex::new((0, HashMap::new())),
    });
    let limits = Arc::new(limits);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(err) => {
                tracing::warn!("front-desk port: {err}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let source = source_of(peer);
        let slot = match slots.take(source) {
            Ok(slot) => slot,
            Err(why) => {
                // Closed at once: no handshake, no task.
                front.refusals.warn(source, crate::callbacks::now_ms(), why);
                drop(tcp);
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        tokio::spawn(connection(
            front.clone(),
            acceptor.clone(),
            limits.clone(),
            tcp,
            source,
            slot,
        ));
    }
}

/// An IPv4 address even when it came as IPv6 (`::ffff:a.b.c.d`).
fn source_of(peer: SocketAddr) -> IpAddr {
    match peer.ip() {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The TLS handshake on `tcp`, within [`Limits::handshake`]; `None` (refused through
/// `refuse`) when it fails or takes longer.
async fn handshake(
    acceptor: &TlsAcceptor,
    tcp: tokio::net::TcpStream,
    limits: &Limits,
    refuse: &impl Fn(&str),
) -> Option<tokio_rustls::server::TlsStream<tokio::net::TcpStream>> {
    match tokio::time::timeout(limits.handshake, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => Some(tls),
        Ok(Err(err)) => {
            refuse(&format!(
                "a TLS handshake that failed ({})",
                escaped(&err.to_string(), 120)
            ));
            None
        }
        Err(_) => {
            refuse(&format!(
                "a TLS handshake not done within {} s",
                limits.handshake.as_secs_f32()
            ));
            None
        }
    }
}

/// Serves one kiosk connection within `limits`: the handshake, then HTTP/1.1 with a time
/// limit on each request head and on silence; `_slot` holds its place among the open
/// connections until it ends.
async fn connection(
    front: Arc<FrontDesk>,
    acceptor: TlsAcceptor,
    limits: Arc<Limits>,
    tcp: tokio::net::TcpStream,
    source: IpAddr,
    _slot: Slot,
) {
    let refuse = |what: &str| {
        front
            .refusals
            .warn(source, crate::callbacks::now_ms(), what)
    };
    let Some(tls) = handshake(&acceptor, tcp, &limits, &refuse).await else {
        return;
    };
    let start = Instant::now();
    let activity = Arc::new(Activity::default());
    let io = Watched {
        inner: tls,
        start,
        activity: activity.clone(),
    };
    let service = {
        let (front, limits) = (front.clone(), limits.clone());
        hyper::service::service_fn(move |req| handle(front.clone(), limits.clone(), source, req))
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header)
        .max_buf_size(MAX_HEAD)
        .max_headers(MAX_HEADERS);
    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(io), service);
    tokio::pin!(conn);
    loop {
        let quiet_since = start + Duration::from_millis(activity.last());
        tokio::select! {
            done = conn.as_mut() => {
                match done {
                    // A kept-alive connection the kiosk no longer uses: closed quietly.
                    Err(err) if err.is_timeout() && activity.between_requests() => {}
                    Err(err) if err.is_timeout() => refuse(&format!(
                        "a request head not sent within {} s",
                        limits.header.as_secs_f32()
                    )),
                    Err(err) if err.is_parse_too_large() => {
                        refuse(&format!("a request head over {} KB", MAX_HEAD / 1024))
                    }
                    Err(err) if err.is_parse() => refuse("a request that is not HTTP/1.1"),
                    _ => {}
                }
                return;
            }
            () = tokio::time::sleep_until(quiet_since + limits.idle) => {
                let quiet = start + Duration::from_millis(activity.last());
                if quiet.elapsed() >= limits.idle {
                    if !activity.between_requests() {
                        refuse(&format!(
                            "a connection silent for {} s",
                            limits.idle.as_secs_f32()
                        ));
                    }
                    return;
                }
            }
        }
    }
}
