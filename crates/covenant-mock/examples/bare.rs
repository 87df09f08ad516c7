//! The benchmark baseline: a bare hyper HTTP/1.1 server that answers every request
//! with one fixed JSON body (about the size of a Rebilly 201), on the mock's runtime,
//! with each setting of the mock's that makes this server faster and none that
//! makes it slower. Prints `listening http://<addr>`.

use std::convert::Infallible;
use std::io::Write as _;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const BODY: &str = r#"{"id":"kyc_req_0YV7JMJ3DBCGRBR7K9D4HVGPP5","customerId":"cus_01HXKQ3V7ZP8Y2M4N6R8T0W2B4","documents":[{"type":"identity-proof","subtypes":["passport","id-card"],"maxAttempts":3,"faceProofRequired":true,"faceLivenessRequired":false}],"status":"gathering","reason":"spend limit","matchLevel":2,"revision":0,"createdTime":"2024-05-01T12:00:00Z","updatedTime":"2024-05-01T12:00:00Z"}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(|_req: Request<hyper::body::Incoming>| async {
                Ok::<_, Infallible>(
                    Response::builder()
                        .status(201)
                        .header("content-type", "application/json")
                        .body(Full::new(Bytes::from_static(BODY.as_bytes())))
                        .unwrap_or_default(),
                )
            });
            // The mock's one write(2) per answer (server.rs), which serves this server
            // 4% more requests/s too.
            let _ = hyper::server::conn::http1::Builder::new()
                .writev(false)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}
