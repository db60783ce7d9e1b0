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

/// 413, as X's front end answers a body too large to read; the
/// connection is closed, the rest of the body unread.
fn payload_too_large() -> hyper::Response<Full<Bytes>> {
    let problem = serde_json::json!({
        "title": "Payload Too Large", "detail": "Payload Too Large",
        "type": "about:blank", "status": 413,
    });
    let mut resp = hyper::Response::new(Full::new(Bytes::from(problem.to_string())));
    *resp.status_mut() = hyper::StatusCode::PAYLOAD_TOO_LARGE;
    let headers = resp.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/problem+json"),
    );
    headers.insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    resp
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
    // limit: a larger one is refused before reading it (its Content-Length
    // says so) or as soon as it passes the limit.
    let declared = hyper::body::Body::size_hint(&body).lower();
    let read = if declared > MAX_BODY_BYTES as u64 {
        None
    } else {
        Limited::new(body, MAX_BODY_BYTES).collect().await.ok()
    };
    let body = match read {
        Some(b) => b.to_bytes(),
        None => {
            if options.log {
                let _ = writeln!(
                    io::stderr(),
                    "{} {} -> 413 (body over {MAX_BODY_BYTES} bytes)",
                    parts.method,
                    parts.uri.path()
                );
            }
            return Ok(payload_too_large());
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

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;
    use crate::{Clock, FakeX, share};

    /// Sends a request with a body of `len` bytes (only the headers when
    /// `send_body` is false) and returns the status line.
    async fn send(server: &Server, len: usize, send_body: bool) -> String {
        let mut s = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let head = format!(
            "POST /2/media/upload/1/append HTTP/1.1\r\nHost: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n",
            server.addr()
        );
        s.write_all(head.as_bytes()).await.unwrap();
        if send_body {
            let chunk = vec![b'a'; 1 << 20];
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len());
                s.write_all(&chunk[..n]).await.unwrap();
                left -= n;
            }
        }
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let n = s.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        let line = String::from_utf8_lossy(&answer).into_owned();
        line.lines().next().unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn bodies_of_an_8_mib_segment_are_read_and_larger_than_the_limit_refused() {
        let fake = share(FakeX::with_defaults(Clock::system()));
        let server = spawn(fake.clone(), "127.0.0.1:0").await.unwrap();
        // Read whole, then refused for want of a signature: not for its size.
        let base64_segment = (8 << 20) / 3 * 4 + 1024;
        assert_eq!(
            send(&server, base64_segment, true).await,
            "HTTP/1.1 401 Unauthorized"
        );
        assert_eq!(lock(&fake).requests_seen(), 1);
        assert_eq!(
            send(&server, MAX_BODY_BYTES + 1, false).await,
            "HTTP/1.1 413 Payload Too Large"
        );
        assert_eq!(lock(&fake).requests_seen(), 1);
        server.shutdown().await;
    }
}
