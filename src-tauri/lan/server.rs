//! The laptop's HTTPS port: TLS 1.3 with its own certificate, three routes.
//!
//! - `POST /pair/start`, `POST /pair/confirm`: pairing (see [`super::pairing`])
//! - `POST /requests`: a callback request from a paired kiosk

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::{FrontDesk, PairConfirm, PairStart};

/// The largest body the laptop reads.
const MAX_BODY: usize = 64 * 1024;

fn reply(status: u16, body: impl Into<Bytes>, json: bool) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let kind = if json {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(kind),
    );
    response
}

async fn handle(
    front: Arc<FrontDesk>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let now = crate::callbacks::now_ms();
    let (parts, body) = request.into_parts();
    if parts.method != hyper::Method::POST {
        return Ok(reply(405, "POST only", false));
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(reply(413, "body too large", false)),
    };
    let answer = match parts.uri.path() {
        "/pair/start" => match serde_json::from_slice::<PairStart>(&body) {
            Ok(start) => match front.pair_start(&start, now) {
                Ok(r) => return Ok(reply(200, serde_json::to_vec(&r).unwrap_or_default(), true)),
                Err(e) => e,
            },
            Err(_) => (400, "bad pairing message".into()),
        },
        "/pair/confirm" => match serde_json::from_slice::<PairConfirm>(&body) {
            Ok(confirm) => match front.pair_confirm(&confirm, now) {
                Ok(r) => return Ok(reply(200, serde_json::to_vec(&r).unwrap_or_default(), true)),
                Err(e) => e,
            },
            Err(_) => (400, "bad pairing message".into()),
        },
        "/requests" => {
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            front.receive(header, &body, now)
        }
        _ => (404, "no such path".into()),
    };
    Ok(reply(answer.0, answer.1, false))
}

/// Serves `front` on `listener` until the runtime stops. Each connection is TLS 1.3 with the
/// laptop's certificate; a failed handshake is logged and dropped.
pub async fn serve(front: Arc<FrontDesk>, listener: TcpListener) {
    let config = match front.identity.server_config() {
        Ok(c) => Arc::new(c),
        Err(err) => {
            tracing::error!("the front-desk port cannot use its certificate: {err}");
            return;
        }
    };
    let acceptor = TlsAcceptor::from(config);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(pair) => pair,
            Err(err) => {
                tracing::warn!("front-desk port: {err}");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let front = front.clone();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(
                std::time::Duration::from_secs(10),
                acceptor.accept(tcp),
            )
            .await
            {
                Ok(Ok(tls)) => tls,
                Ok(Err(err)) => {
                    tracing::warn!(
                        "front-desk port: TLS handshake with {} failed: {err}",
                        peer.ip()
                    );
                    return;
                }
                Err(_) => return,
            };
            let service = hyper::service::service_fn(move |req| handle(front.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
        });
    }
}
