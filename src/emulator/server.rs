//! The fake X over HTTP/1.1, served with hyper so that a connection can be
//! closed without an answer after the request took effect.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use super::core::{Caller, Request};
use super::{SharedFake, lock};

/// Request bodies above this size are refused (X's own limit is far lower
/// than anything a tweet needs).
const BODY_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// One line on stderr per request: method, path, status, and why.
    pub log: bool,
}

/// A running fake X. Dropping it stops the server.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for `XClient::new` or `TWEETFORM_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting and closes every connection.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Serves `fake` on `addr` (`127.0.0.1:0` picks a free port).
pub async fn spawn(fake: SharedFake, addr: &str) -> io::Result<Server> {
    spawn_with(fake, addr, Options::default()).await
}

pub async fn spawn_with(fake: SharedFake, addr: &str, options: Options) -> io::Result<Server> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, mut rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // Dropping the set at the end aborts every connection.
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut rx => break,
                accepted = listener.accept() => {
                    let Ok((stream, _peer)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, fake.clone(), addr, options));
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    });
    Ok(Server {
        addr,
        shutdown: Some(tx),
        task: Some(task),
    })
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    fake: SharedFake,
    local: SocketAddr,
    options: Options,
) {
    let abort = Arc::new(Notify::new());
    let service = {
        let abort = abort.clone();
        hyper::service::service_fn(move |req| {
            handle(fake.clone(), abort.clone(), local, options, req)
        })
    };
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection (and its socket) closes it mid-request:
        // the client gets no answer at all.
        _ = abort.notified() => {}
    }
}

async fn handle(
    fake: SharedFake,
    abort: Arc<Notify>,
    local: SocketAddr,
    options: Options,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => Bytes::new(),
    };
    let host = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.to_ascii_lowercase())
        .unwrap_or_else(|| local.to_string());
    // A default port in Host is not part of the signed URL.
    let host = host.strip_suffix(":80").unwrap_or(&host).to_owned();
    let origin = format!("http://{host}");
    let authorization = parts
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let method = parts.method.as_str();
    let path = parts.uri.path();
    let query = parts.uri.query();

    let answer = lock(&fake).handle(&Request {
        method,
        path,
        query,
        body: &body,
        caller: Caller::Http {
            origin: &origin,
            authorization,
        },
    });
    if options.log {
        let q = query.map(|q| format!("?{q}")).unwrap_or_default();
        let outcome = if answer.drop_connection {
            "connection dropped".to_owned()
        } else {
            answer.status.to_string()
        };
        let note = answer
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let remaining = answer
            .header("x-rate-limit-remaining")
            .map(|r| format!(" [{r} left]"))
            .unwrap_or_default();
        eprintln!("{method} {path}{q} -> {outcome}{remaining}{note}");
    }
    if let Some(d) = answer.delay {
        tokio::time::sleep(d).await;
    }
    if answer.drop_connection {
        abort.notify_one();
        std::future::pending::<()>().await;
    }
    let mut resp = hyper::Response::builder()
        .status(answer.status)
        .header(hyper::header::CONTENT_TYPE, answer.content_type);
    for (name, value) in &answer.headers {
        resp = resp.header(*name, value.as_str());
    }
    let body = serde_json::to_vec(&answer.body).expect("JSON serialises");
    Ok(resp
        .body(Body::from(body))
        .unwrap_or_else(|_| hyper::Response::new(Body::empty())))
}
