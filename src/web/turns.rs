//! Turns at the server under a crowd: reads (GET, HEAD) run a few at once and
//! the others wait, in the order they came; writes never wait. A write in
//! progress may also hold the place of a read (up to a set number, at most
//! half the places), so that while it runs one read fewer competes with it
//! for the processor and the database: a write is a person's action, a read
//! mostly a page looked at again, and under load each of a write's
//! statements otherwise waited behind a full set of reads.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

pub struct Turns {
    /// Reads at once when nothing is written.
    places: usize,
    /// How many of those places writes in progress may hold.
    for_writes: usize,
    running: Mutex<Running>,
}

#[derive(Debug, Default)]
struct Running {
    reads: usize,
    writes: usize,
    /// The reads waiting, first come first: a freed place is handed to the
    /// first, never taken by a read that arrives after it.
    waiting: VecDeque<oneshot::Sender<()>>,
}

impl Running {
    fn room(&self, turns: &Turns) -> bool {
        self.reads < turns.places - self.writes.min(turns.for_writes)
    }

    /// Hands the free places to the reads waiting for them.
    fn hand_on(&mut self, turns: &Turns) {
        while self.room(turns) {
            let Some(next) = self.waiting.pop_front() else {
                return;
            };
            // A read that gave up has dropped its end: the place goes on.
            if next.send(()).is_ok() {
                self.reads += 1;
            }
        }
    }
}

/// A turn held until dropped.
pub struct Turn {
    turns: Arc<Turns>,
    write: bool,
}

/// A read's wait for its place; given up when dropped, and a place handed
/// to it in the meantime is handed on.
struct Waiting {
    turns: Arc<Turns>,
    given: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut given) = self.given.take() {
            let mut running = self.turns.running();
            given.close();
            if given.try_recv().is_ok() {
                running.reads = running.reads.saturating_sub(1);
                running.hand_on(&self.turns);
            }
        }
    }
}

impl Turns {
    /// `places` reads at once, of which writes in progress hold up to
    /// `for_writes` (at most half).
    pub fn new(places: usize, for_writes: usize) -> Arc<Turns> {
        let places = places.max(1);
        Arc::new(Turns {
            places,
            for_writes: for_writes.min(places / 2),
            running: Mutex::new(Running::default()),
        })
    }

    fn running(&self) -> std::sync::MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for a place among the reads.
    pub async fn read(self: &Arc<Self>) -> Turn {
        let given = {
            let mut running = self.running();
            if running.waiting.is_empty() && running.room(self) {
                running.reads += 1;
                return Turn {
                    turns: self.clone(),
                    write: false,
                };
            }
            let (give, given) = oneshot::channel();
            running.waiting.push_back(give);
            given
        };
        let mut waiting = Waiting {
            turns: self.clone(),
            given: Some(given),
        };
        if let Some(given) = waiting.given.as_mut() {
            // The sender is only dropped unsent when the read is given up,
            // which cannot happen while it is awaited here.
            let _ = given.await;
        }
        // The place was counted when it was handed over.
        waiting.given = None;
        Turn {
            turns: self.clone(),
            write: false,
        }
    }

    /// A write's turn, at once.
    pub fn write(self: &Arc<Self>) -> Turn {
        self.running().writes += 1;
        Turn {
            turns: self.clone(),
            write: true,
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut running = self.turns.running();
        match self.write {
            true => running.writes = running.writes.saturating_sub(1),
            false => running.reads = running.reads.saturating_sub(1),
        }
        running.hand_on(&self.turns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn running(t: &Turns) -> (usize, usize) {
        let r = t.running();
        (r.reads, r.writes)
    }

    #[tokio::test]
    async fn reads_wait_beyond_their_places_and_go_in_turn() {
        let turns = Turns::new(2, 1);
        let a = turns.read().await;
        let _b = turns.read().await;
        let third = tokio::spawn({
            let turns = turns.clone();
            async move { turns.read().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!third.is_finished(), "a third read waits");
        drop(a);
        let _c = tokio::time::timeout(Duration::from_secs(5), third)
            .await
            .expect("the freed place goes to the waiting read")
            .expect("task");
        assert_eq!(running(&turns), (2, 0));
    }

    #[tokio::test]
    async fn a_write_never_waits_and_holds_a_read_place_while_it_runs() {
        let turns = Turns::new(4, 2);
        let reads: Vec<Turn> = reads_now(&turns, 4).await;
        // Every place is taken by reads: the write still goes at once.
        let w = turns.write();
        drop(reads);
        assert_eq!(running(&turns), (0, 1));
        let _r: Vec<Turn> = reads_now(&turns, 3).await;
        let fourth = tokio::spawn({
            let turns = turns.clone();
            async move { turns.read().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!fourth.is_finished(), "the write holds the fourth place");
        drop(w);
        tokio::time::timeout(Duration::from_secs(5), fourth)
            .await
            .expect("the write's end frees the place")
            .expect("task");
    }

    #[tokio::test]
    async fn writes_hold_at_most_their_share_of_the_places() {
        // (places writes may hold, the reads that still go beside ten writes)
        for (for_writes, reads) in [(0, 4), (1, 3), (10, 2)] {
            let turns = Turns::new(4, for_writes);
            let _w: Vec<Turn> = (0..10).map(|_| turns.write()).collect();
            let _r = reads_now(&turns, reads).await;
            let next = tokio::time::timeout(Duration::from_millis(20), turns.read()).await;
            assert!(next.is_err(), "{for_writes}: read {} waits", reads + 1);
            assert_eq!(running(&turns), (reads, 10), "{for_writes}");
        }
    }

    #[tokio::test]
    async fn a_waiting_read_that_gives_up_passes_its_wake_up_on() {
        let turns = Turns::new(1, 0);
        let first = turns.read().await;
        let quitter = tokio::spawn({
            let turns = turns.clone();
            async move { turns.read().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let patient = tokio::spawn({
            let turns = turns.clone();
            async move { turns.read().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The place goes to the first in line, which gives up before it runs.
        drop(first);
        quitter.abort();
        tokio::time::timeout(Duration::from_secs(5), patient)
            .await
            .expect("the place reaches the read still waiting")
            .expect("task");
    }

    async fn reads_now(turns: &Arc<Turns>, n: usize) -> Vec<Turn> {
        let mut held = Vec::new();
        for _ in 0..n {
            held.push(
                tokio::time::timeout(Duration::from_secs(5), turns.read())
                    .await
                    .expect("a free place"),
            );
        }
        held
    }
}
