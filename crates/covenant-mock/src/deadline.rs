//! The request deadline: a request must arrive in full within `request_timeout` of
//! its connection falling idle (accepted, or its last answer written). Clients that
//! trickle a head or a body (slowloris), and idle keep-alive connections, are closed
//! once it passes, so they cannot hold connection slots forever.
//!
//! hyper's own `header_read_timeout` covers heads only, and allocates and registers
//! a fresh timer for every request. [`Deadline`] keeps one timer per connection and
//! re-arms it lazily: a request only records when its answer was written, and the
//! timer, when it fires early (the connection was busy since it was armed), moves to
//! the current deadline.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// A connection whose reads fail with `TimedOut` once a request has taken longer
/// than `limit` to arrive.
pub struct Deadline<S> {
    inner: S,
    limit: Duration,
    /// When the connection last fell idle: accepted, or an answer written.
    idle_since: Instant,
    /// Armed on the first read that has to wait; never later than the deadline.
    timer: Option<Pin<Box<Sleep>>>,
}

impl<S> Deadline<S> {
    pub fn new(inner: S, limit: Duration) -> Self {
        Deadline {
            inner,
            limit,
            idle_since: Instant::now(),
            timer: None,
        }
    }

    /// `Ready(Err)` once the deadline has passed; otherwise makes sure the timer
    /// will wake the connection by then.
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let deadline = self.idle_since + self.limit;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        // The loop runs at most twice: a timer armed for an earlier deadline (the
        // connection answered requests since) fires early and moves.
        loop {
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            if Instant::now() >= deadline {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "no complete request within {} s; closing the connection",
                        self.limit.as_secs_f64()
                    ),
                )));
            }
            timer.as_mut().reset(deadline);
        }
    }

    fn answered(&mut self) {
        self.idle_since = Instant::now();
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Deadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Pending => match self.check(cx) {
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                _ => Poll::Pending,
            },
            ready => ready,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Deadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.answered();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.answered();
        }
        r
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
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A read that waits past the deadline fails; one whose connection answered in
    /// between (so the deadline moved) keeps waiting: the timer, armed for the old
    /// deadline, fires early and re-arms.
    #[tokio::test(start_paused = true)]
    async fn reads_time_out_from_the_last_answer() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut conn = Deadline::new(server, Duration::from_secs(30));
        let mut buf = [0u8; 8];

        // The first read waits (arming the timer for 30 s); the request comes at 20 s.
        let writer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(20)).await;
            client.write_all(b"req").await.unwrap();
            client
        });
        assert_eq!(conn.read(&mut buf).await.unwrap(), 3);
        let _client = writer.await.unwrap();
        // The answer moves the deadline to 50 s.
        conn.write_all(b"ans").await.unwrap();
        let answered = Instant::now();

        let err = conn.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert_eq!(answered.elapsed(), Duration::from_secs(30), "{err}");
        assert!(err.to_string().contains("30 s"), "{err}");
    }

    /// A client that trickles bytes without completing a request gets no extension:
    /// reads are not answers.
    #[tokio::test(start_paused = true)]
    async fn trickled_bytes_do_not_extend_the_deadline() {
        let (mut client, server) = tokio::io::duplex(64);
        let mut conn = Deadline::new(server, Duration::from_secs(30));
        let mut buf = [0u8; 8];
        let trickle = tokio::spawn(async move {
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_secs(10)).await;
                if client.write_all(b"x").await.is_err() {
                    break;
                }
            }
        });
        let started = Instant::now();
        let failed = loop {
            match conn.read(&mut buf).await {
                Ok(0) => panic!("eof"),
                Ok(_) => continue,
                Err(e) => break e,
            }
        };
        assert_eq!(failed.kind(), io::ErrorKind::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        trickle.abort();
    }
}
