//! Answers that go out together: the first write after a request arrives waits one
//! scheduler turn.
//!
//! Under load the runtime wakes many connections at once (one `epoll_wait` reports
//! them all). Written as soon as each is computed, every answer lands while the
//! client sleeps and wakes it again: on a 2-core machine shared with `wrk`, the mock
//! woke its client about once per two answers and paid for each wake-up (an
//! inter-processor interrupt or a preemption, ~5 µs of a request's ~25 µs). Yielding
//! once before the write lets the other woken connections compute their answers
//! first; the answers then leave back to back and the client wakes once for the lot.
//! Measured with `bench/run.sh`'s request (`wrk`, alternating rounds): +18% requests/s
//! at 32 connections, +9% at 8, none at 1 or 2. A bare hyper server, which outruns
//! its client and so has nothing to batch, loses 2% to it (`examples/bare.rs`).
//!
//! The turn is tokio's `yield_now`: the scheduler wakes the connection again only
//! once it has run every other ready task and polled the I/O driver, without
//! calling another worker thread in to help (a plain self-wake did). A connection
//! alone on its server has nothing to wait for and writes at once: for a single
//! sequential client the turn cost ~12% of its requests/s (5 µs each), for nothing.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The open connections of one server: whether a connection has company.
#[derive(Debug, Clone, Default)]
pub struct Peers(Arc<AtomicUsize>);

impl Peers {
    /// Connections open now.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// A connection whose first write after each read is put off by one scheduler turn
/// while other connections of its server are open.
pub struct Coalesce<S> {
    inner: S,
    peers: Peers,
    /// Set by a read that brought bytes; cleared by the write it puts off.
    armed: bool,
    /// The turn that write is waiting out.
    turn: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<S> Coalesce<S> {
    /// Wraps `inner`, counted among `peers` until dropped.
    pub fn new(inner: S, peers: &Peers) -> Self {
        peers.0.fetch_add(1, Ordering::Relaxed);
        Coalesce {
            inner,
            peers: peers.clone(),
            armed: false,
            turn: None,
        }
    }

    /// True while the first write after a read is waiting out its turn (the task
    /// is then woken when the turn is over).
    fn put_off(&mut self, cx: &mut Context<'_>) -> bool {
        if std::mem::take(&mut self.armed) && self.peers.count() > 1 {
            self.turn = Some(Box::pin(tokio::task::yield_now()));
        }
        if let Some(turn) = &mut self.turn {
            if turn.as_mut().poll(cx).is_pending() {
                return true;
            }
            self.turn = None;
        }
        false
    }
}

impl<S> Drop for Coalesce<S> {
    fn drop(&mut self) {
        self.peers.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Coalesce<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.armed = true;
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Coalesce<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.put_off(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.put_off(cx) {
            return Poll::Pending;
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    type Log = Arc<Mutex<Vec<&'static str>>>;

    /// Runs a connection task (optionally reading a request, then writing its
    /// answer) next to another ready task; returns the order things happened in.
    async fn order(peers: &Peers, read_first: bool) -> Vec<&'static str> {
        let (mut client, server) = tokio::io::duplex(64);
        client.write_all(b"request").await.unwrap();
        let log: Log = Arc::default();
        let l = log.clone();
        let mut conn = Coalesce::new(server, peers);
        let conn = tokio::spawn(async move {
            if read_first {
                let mut buf = [0u8; 16];
                assert_eq!(conn.read(&mut buf).await.unwrap(), 7);
                l.lock().unwrap().push("read");
            }
            conn.write_all(b"answer").await.unwrap();
            l.lock().unwrap().push("written");
            conn
        });
        let l = log.clone();
        let other = tokio::spawn(async move { l.lock().unwrap().push("other") });
        let _conn = conn.await.unwrap();
        other.await.unwrap();
        let mut answer = [0u8; 6];
        client.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"answer");
        Arc::try_unwrap(log).unwrap().into_inner().unwrap()
    }

    /// After a request arrives, its answer waits until the other ready task has run,
    /// if another connection is open; a write with no request before it (nothing to
    /// batch), or on a connection alone on its server, goes out at once.
    #[tokio::test]
    async fn an_answer_waits_for_the_other_ready_tasks() {
        let peers = Peers::default();
        assert_eq!(order(&peers, true).await, ["read", "written", "other"]);
        assert_eq!(peers.count(), 0, "a dropped connection leaves");

        let (_client, other) = tokio::io::duplex(8);
        let other = Coalesce::new(other, &peers);
        assert_eq!(order(&peers, true).await, ["read", "other", "written"]);
        assert_eq!(order(&peers, false).await, ["written", "other"]);
        drop(other);
        assert_eq!(order(&peers, true).await, ["read", "written", "other"]);
    }

    /// Only the first write of an answer waits, and for one turn only: the next poll
    /// writes it, and a long answer's later writes go straight through.
    #[test]
    fn only_the_first_write_after_a_read_waits() {
        let peers = Peers::default();
        let (_client, server) = tokio::io::duplex(1 << 16);
        let _other = Coalesce::new(tokio::io::empty(), &peers);
        let mut conn = Coalesce::new(server, &peers);
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        conn.armed = true;
        // Outside a runtime `yield_now` wakes at once, so the turn is over when
        // polled again.
        assert!(Pin::new(&mut conn).poll_write(&mut cx, b"a").is_pending());
        assert!(matches!(
            Pin::new(&mut conn).poll_write(&mut cx, b"b"),
            Poll::Ready(Ok(1))
        ));
        assert!(matches!(
            Pin::new(&mut conn).poll_write(&mut cx, b"c"),
            Poll::Ready(Ok(1))
        ));
    }
}
