//! Big downloads in constant memory. The body is produced on a blocking
//! thread and handed to the response through a bounded channel, a chunk at a
//! time: the producer waits while the client reads, so an export holds at most
//! [`CHANNEL`] × [`CHUNK`] bytes of it in memory whatever its size. At most
//! `DONDOC_MAX_EXPORTS` are produced at once across the instance.

use std::io::{self, Write};
use std::sync::Arc;

use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// Bytes per message: few wake-ups per megabyte, little held per message.
const CHUNK: usize = 64 * 1024;
/// Messages waiting for the client at most.
const CHANNEL: usize = 4;

/// The exports this instance may produce at once (`DONDOC_MAX_EXPORTS`).
#[derive(Clone)]
pub struct ExportSlots(Arc<Semaphore>);

/// One export's place among [`ExportSlots`], given back when dropped.
pub struct ExportSlot(#[allow(dead_code)] OwnedSemaphorePermit);

impl ExportSlots {
    pub fn new(max: usize) -> ExportSlots {
        ExportSlots(Arc::new(Semaphore::new(max)))
    }

    /// A free slot, or `None` when all are taken (the caller answers 503).
    pub fn try_take(&self) -> Option<ExportSlot> {
        Arc::clone(&self.0).try_acquire_owned().ok().map(ExportSlot)
    }
}

/// Where a producer writes: bytes go to the response [`CHUNK`] at a time.
pub struct Sink {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Sink {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let bytes = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(bytes))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client has gone"))
    }
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    /// Sends what is buffered now (e.g. a CSV header, so the download starts at once).
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Runs `produce` on a blocking thread, holding `slot` until it returns, and
/// gives its bytes as a response body once the first chunk is there. A
/// failure before any byte is an `Err` (an error page can still be sent); a
/// later one is logged and cuts the body short. A client that leaves stops the
/// producer at its next write.
pub async fn produce<F>(
    what: &'static str,
    slot: ExportSlot,
    produce: F,
) -> Result<impl Stream<Item = io::Result<Bytes>>, io::Error>
where
    F: FnOnce(&mut Sink) -> Result<(), String> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel(CHANNEL);
    actix_web::rt::task::spawn_blocking(move || {
        let mut sink = Sink {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let done = produce(&mut sink).and_then(|()| sink.flush().map_err(|e| e.to_string()));
        if let Err(e) = done {
            if tx.is_closed() {
                tracing::info!("{what}: stopped, the client has gone");
            } else {
                tracing::error!("{what}: {e}");
                let _ = tx.blocking_send(Err(io::Error::other(e)));
            }
        }
        // The slot is free before the body ends, so whoever reads the end may export again.
        drop(slot);
        drop(sink);
        drop(tx);
    });
    let first = match rx.recv().await {
        Some(Ok(bytes)) => Some(bytes),
        Some(Err(e)) => return Err(e),
        None => None,
    };
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(futures_util::stream::iter(first.map(Ok)).chain(rest))
}

/// Copies a finished file (e.g. a workbook written to a temporary file) to `sink`.
pub fn send_file(mut file: std::fs::File, sink: &mut Sink) -> Result<(), String> {
    use std::io::Seek;
    file.rewind().map_err(|e| e.to_string())?;
    io::copy(&mut file, sink).map_err(|e| e.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_run_out_and_come_back() {
        let slots = ExportSlots::new(2);
        let a = slots.try_take().expect("first");
        let _b = slots.try_take().expect("second");
        assert!(slots.try_take().is_none(), "a third is refused");
        drop(a);
        assert!(
            slots.try_take().is_some(),
            "a slot given back is taken again"
        );
    }

    #[actix_web::test]
    async fn a_body_arrives_whole_and_in_order() {
        let slots = ExportSlots::new(1);
        let body = produce("test", slots.try_take().expect("slot"), |sink| {
            for i in 0..100_000u32 {
                writeln!(sink, "{i}").map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .await
        .expect("started");
        let chunks: Vec<Bytes> = body.map(|c| c.expect("chunk")).collect().await;
        assert!(chunks.len() > 1, "sent in several chunks");
        let text: String = chunks
            .iter()
            .map(|c| std::str::from_utf8(c).expect("utf-8"))
            .collect();
        let expected: String = (0..100_000u32).map(|i| format!("{i}\n")).collect();
        assert_eq!(text, expected);
        assert!(
            slots.try_take().is_some(),
            "the slot is given back at the end"
        );
    }

    #[actix_web::test]
    async fn a_failure_before_any_byte_is_an_error() {
        let slots = ExportSlots::new(1);
        let result = produce("test", slots.try_take().expect("slot"), |_| {
            Err("no database".to_string())
        })
        .await;
        assert!(result.is_err());
    }
}
