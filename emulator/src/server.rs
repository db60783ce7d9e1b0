//! The fake X over HTTP/1.1 on a local port, served with hyper directly
//! (no framework) so that a connection can be closed without an answer
//! after the request took effect. Every request goes through
//! [`FakeX::respond`](crate::FakeX::respond).

use std::convert::Infallible;
use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use crate::exchange::{MAX_BODY_BYTES, Via, WireRequest};
use crate::{SharedFake, lock};

#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
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
    spawn_with(fake, addr, ServeOptions::default()).await
}

pub async fn spawn_with(fake: SharedFake, addr: &str, options: ServeOptions) -> io::Result<Server> {
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
    options: ServeOptions,
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
    options: ServeOptions,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    // One request's body at a time per connection, never more than the
    // limit: a larger one is refused without reading the rest.
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            if options.log {
                let _ = writeln!(
                    io::stderr(),
                    "{} {} -> 413 (body over {MAX_BODY_BYTES} bytes)",
                    parts.method,
                    parts.uri.path()
                );
            }
            let problem = serde_json::json!({
                "title": "Payload Too Large", "detail": "Payload Too Large",
                "type": "about:blank", "status": 413,
            });
            let mut resp = hyper::Response::new(Full::new(Bytes::from(problem.to_string())));
            *resp.status_mut() = hyper::StatusCode::PAYLOAD_TOO_LARGE;
            resp.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/problem+json"),
            );
            resp.headers_mut().insert(
                hyper::header::CONNECTION,
                hyper::header::HeaderValue::from_static("close"),
            );
            return Ok(resp);
        }
    };
    let headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)))
        .collect();
    let method = parts.method.as_str();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
    let local = local.to_string();
    let answer = lock(&fake).respond(&WireRequest {
        method,
        target,
        headers: &headers,
        body: &body,
        via: Via::Http { local: &local },
    });
    if options.log {
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
        // A log nobody reads any more (a closed stderr) is not worth a panic.
        let _ = writeln!(
            io::stderr(),
            "{method} {target} -> {outcome}{remaining}{note}"
        );
    }
    if let Some(d) = answer.delay {
        tokio::time::sleep(d).await;
    }
    if answer.drop_connection {
        abort.notify_one();
        std::future::pending::<()>().await;
    }
    let mut resp = hyper::Response::builder().status(answer.status);
    for (name, value) in &answer.headers {
        resp = resp.header(name.as_str(), value.as_str());
    }
    Ok(resp
        .body(Full::new(Bytes::from(answer.body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()))))
}
