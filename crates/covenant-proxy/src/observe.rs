//! The observer: one task that takes the exchanges [`crate::forward`] hands over,
//! in arrival order, judges each ([`crate::verdict`]), writes what it finds
//! ([`crate::sink`]) and keeps the recording ([`crate::record`]). One task keeps
//! the redactor's placeholders and the traffic's memory (replays, creates)
//! consistent without locks; the bounded queue in front of it turns a slow
//! observer into backpressure, never into lost exchanges.

use tokio::sync::{mpsc, oneshot};

use crate::exchange::Observed;
use crate::record::Recorder;
use crate::repro::Redaction;
use crate::sink::Sink;
use crate::verdict::Judge;
use crate::{ProxyError, ProxyOptions, Summary};

/// Exchanges waiting to be judged before forwarding waits for the observer.
pub const QUEUE: usize = 4096;

/// Runs until `stop` fires (then judges what is queued) or every sender is gone;
/// then writes the reports and the recording.
pub async fn run(
    options: ProxyOptions,
    mut rx: mpsc::Receiver<Observed>,
    mut stop: oneshot::Receiver<()>,
    mut sink: Sink,
) -> Result<Summary, ProxyError> {
    let mut judge = Judge::new(&options);
    let mut redaction = Redaction::new(&options);
    let mut recorder = options.record_dir.as_ref().map(|_| Recorder::default());
    let mut stopping = false;
    loop {
        let next = if stopping {
            rx.recv().await
        } else {
            tokio::select! {
                m = rx.recv() => m,
                _ = &mut stop => {
                    stopping = true;
                    rx.close();
                    continue;
                }
            }
        };
        let Some(o) = next else { break };
        redaction.learn(&o);
        let verdicts = judge.judge(&o);
        sink.tally(&judge, &o, &verdicts);
        for v in &verdicts {
            if let Err(f) = &v.outcome {
                let violation = redaction.violation(&judge, &o, v, f);
                sink.finding(violation, v.against)?;
            }
        }
        if let Some(r) = &mut recorder {
            r.push(&judge, &o);
        }
    }
    if let (Some(r), Some(dir)) = (recorder, &options.record_dir) {
        r.write(&options, &mut redaction, dir)?;
    }
    sink.finish(&options, &judge, &redaction)
}
