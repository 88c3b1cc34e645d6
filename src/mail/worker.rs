//! The reminder work of `serve`: a plain thread that queues what is due today
//! and delivers the outbox, then waits for the interval or for [`Worker::stop`].

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::Mailer;
use crate::storage::Db;

pub struct Worker {
    stop: Option<mpsc::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

impl Worker {
    /// Starts the loop; the first round runs at once.
    pub fn spawn(mailer: Arc<Mailer>, db: Db, interval: Duration) -> std::io::Result<Worker> {
        let (stop, stopped) = mpsc::channel::<()>();
        let handle = std::thread::Builder::new()
            .name("dondoc-reminders".into())
            .spawn(move || loop {
                let today = mailer.today();
                let run = mailer.remind_today(&db, false);
                crate::metrics::METRICS
                    .reminder_runs
                    .with_label_values(&[if run.is_ok() { "ok" } else { "failed" }])
                    .inc();
                match run {
                    Ok((queued, delivered)) => {
                        if queued.mails > 0 || delivered != Default::default() {
                            tracing::info!(
                                "reminders of {today}: {} recorded, {} mails queued; {} sent, {} to retry, {} dead",
                                queued.reminders,
                                queued.mails,
                                delivered.sent,
                                delivered.retrying,
                                delivered.dead
                            );
                        }
                    }
                    Err(e) => tracing::error!("reminders of {today}: {e}"),
                }
                match stopped.recv_timeout(interval) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                }
            })?;
        Ok(Worker {
            stop: Some(stop),
            handle: Some(handle),
        })
    }

    /// Stops the loop after the round in progress, and waits for it.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shut_down();
    }
}
