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
//! Measured with `bench/run.sh`'s request: +20% requests/s for the mock, no change
//! for a bare hyper server (which the client cannot keep busy enough to batch).
//!
//! The yield is a self-wake before `Pending`, which tokio's scheduler treats as
//! `yield_now`: the task goes to the back of its worker's queue, not to the front.
//! An idle server pays one extra poll of the connection (well under a microsecond).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose first write after each read is put off by one scheduler turn.
pub struct Coalesce<S> {
    inner: S,
    /// Set by a read that brought bytes; cleared by the write it puts off.
    armed: bool,
}

impl<S> Coalesce<S> {
    pub fn new(inner: S) -> Self {
        Coalesce {
            inner,
            armed: false,
        }
    }

    /// `Pending` (with the task already woken) the first time after a read.
    fn put_off(&mut self, cx: &mut Context<'_>) -> bool {
        if std::mem::take(&mut self.armed) {
            cx.waker().wake_by_ref();
            return true;
        }
        false
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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};
    use tokio::io::AsyncWriteExt;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll_write(c: &mut Coalesce<tokio::io::DuplexStream>, cx: &mut Context<'_>) -> Poll<usize> {
        match Pin::new(c).poll_write(cx, b"answer") {
            Poll::Ready(r) => Poll::Ready(r.expect("write")),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_read(c: &mut Coalesce<tokio::io::DuplexStream>, cx: &mut Context<'_>) -> usize {
        let mut b = [0u8; 16];
        let mut buf = ReadBuf::new(&mut b);
        match Pin::new(c).poll_read(cx, &mut buf) {
            Poll::Ready(r) => {
                r.expect("read");
                buf.filled().len()
            }
            Poll::Pending => 0,
        }
    }

    /// After a request arrives, the answer's first write yields once (waking its
    /// task, so it is polled again) and then goes through; later writes of the same
    /// answer, and writes with no request before them, are not held back.
    #[tokio::test]
    async fn the_first_write_after_a_read_waits_one_turn() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut conn = Coalesce::new(server);
        let wakes = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(wakes.clone());
        let mut cx = Context::from_waker(&waker);

        // No read yet: written at once.
        assert_eq!(poll_write(&mut conn, &mut cx), Poll::Ready(6));
        assert_eq!(wakes.0.load(Ordering::SeqCst), 0);

        // A read that finds nothing does not arm it.
        assert_eq!(poll_read(&mut conn, &mut cx), 0);
        assert_eq!(poll_write(&mut conn, &mut cx), Poll::Ready(6));

        client.write_all(b"request").await.unwrap();
        assert_eq!(poll_read(&mut conn, &mut cx), 7);
        let before = wakes.0.load(Ordering::SeqCst);
        assert_eq!(poll_write(&mut conn, &mut cx), Poll::Pending);
        assert_eq!(wakes.0.load(Ordering::SeqCst), before + 1, "woken to retry");
        assert_eq!(poll_write(&mut conn, &mut cx), Poll::Ready(6));
        assert_eq!(poll_write(&mut conn, &mut cx), Poll::Ready(6));
        assert_eq!(wakes.0.load(Ordering::SeqCst), before + 1);
    }
}
