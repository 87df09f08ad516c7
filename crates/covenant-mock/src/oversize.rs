//! Provider-style answers for request heads too large for hyper's read buffer.
//!
//! Header blocks over `max_header_bytes` but within hyper's read buffer reach the
//! engine, which answers `header-too-large` in the provider's style. A head larger
//! than the buffer never does: hyper answers it itself, with a bare
//! `431 Request Header Fields Too Large`, `content-length: 0` and `connection: close`,
//! and offers no hook to change that answer. [`OversizeIo`] wraps the connection and
//! swaps exactly that response (status 431 with an empty body, which the engine never
//! sends: its 431s carry the provider's error body) for the provider's own, rendered
//! once when the server starts.
//!
//! Why bytes are sniffed rather than a hook used: hyper (1.12) writes that answer from
//! `Http1Transaction::on_error` in its `proto/h1/role.rs`, with no setting or
//! callback to change it. `http1::Builder::max_header_size` only moves the limit; the
//! answer stays hyper's. Asking for a way to see such parse errors is
//! hyperium/hyper#3225, still open. Should a hyper release change the bytes matched
//! here, the swap stops and `tests/robustness.rs` (a 200 KB header must get the
//! provider's `header-too-large`) fails.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::message::Outgoing;

/// The start of hyper's own answer to an over-long request head.
const HYPER_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\n";

/// `out` as a complete HTTP/1.1 response that closes the connection.
pub fn raw_response(out: &Outgoing) -> Bytes {
    let reason = http::StatusCode::from_u16(out.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", out.status);
    if let Some(ct) = out.content_type.as_ref().and_then(|v| v.to_str().ok()) {
        head.push_str(&format!("content-type: {ct}\r\n"));
    }
    for (k, v) in &out.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        out.body.len()
    ));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&out.body);
    Bytes::from(bytes)
}

/// A connection whose bare hyper 431 is replaced by `replacement`.
pub struct OversizeIo<S> {
    inner: S,
    replacement: Bytes,
    /// The replacement still to write, once hyper's 431 was swallowed.
    pending: Option<Bytes>,
}

impl<S> OversizeIo<S> {
    pub fn new(inner: S, replacement: Bytes) -> Self {
        OversizeIo {
            inner,
            replacement,
            pending: None,
        }
    }
}

fn is_bare_431(buf: &[u8]) -> bool {
    buf.starts_with(HYPER_431) && buf.windows(21).any(|w| w == b"\r\ncontent-length: 0\r\n")
}

impl<S: AsyncWrite + Unpin> OversizeIo<S> {
    /// Writes what is left of the replacement; `Ready(Ok)` once it is all out.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(rest) = self.pending.as_mut() {
            if rest.is_empty() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            let _ = rest.split_to(n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for OversizeIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for OversizeIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drive(cx))?;
        if is_bare_431(buf) {
            // Report the bare answer as written; the replacement goes out instead.
            self.pending = Some(self.replacement.clone());
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drive(cx))?;
        // hyper's bare 431 has no body: it arrives as one buffer.
        if let Some(first) = bufs.iter().find(|b| !b.is_empty())
            && is_bare_431(first)
        {
            self.pending = Some(self.replacement.clone());
            return Poll::Ready(Ok(first.len()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drive(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drive(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn write_all(io: &mut OversizeIo<Vec<u8>>, buf: &[u8]) {
        let mut off = 0;
        while off < buf.len() {
            off += std::future::poll_fn(|cx| Pin::new(&mut *io).poll_write(cx, &buf[off..]))
                .await
                .expect("write");
        }
        std::future::poll_fn(|cx| Pin::new(&mut *io).poll_flush(cx))
            .await
            .expect("flush");
    }

    #[tokio::test]
    async fn only_the_bare_431_is_replaced() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let ours = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        let other = b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n";
        for (input, replaced) in [(&bare[..], true), (&ours[..], false), (&other[..], false)] {
            let mut io = OversizeIo::new(Vec::new(), Bytes::from_static(b"STYLED"));
            write_all(&mut io, input).await;
            let expected: &[u8] = if replaced { b"STYLED" } else { input };
            assert_eq!(io.inner, expected);
        }
    }
}
