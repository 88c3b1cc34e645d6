//! Sign-in throttling as leaky buckets: each attempt pours one unit into the
//! bucket of the account, of the (address, account) pair and of the address;
//! a bucket drains at a steady rate, so that old failures stop counting and
//! an office behind one address is never locked for good. An attempt that
//! would overflow any bucket is refused before the password is checked, and
//! says how long to wait. A successful sign-in empties the account's and the
//! pair's buckets and takes its unit back out of the address's.
//!
//! The pair's bucket is the small one: one address guessing at one account
//! gets five tries, then one every two minutes. The account's is larger, so
//! that locking someone out takes many addresses at once, and it drains within
//! minutes; the address's is larger still, for offices behind one address.

use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Attempts allowed in a burst from an empty bucket.
    pub burst: f64,
    /// Seconds for one unit to drain.
    pub drain_seconds: f64,
}

/// One address trying one account.
pub const PER_PAIR: Bucket = Bucket {
    burst: 5.0,
    drain_seconds: 120.0,
};

/// One account, from any address.
pub const PER_ACCOUNT: Bucket = Bucket {
    burst: 20.0,
    drain_seconds: 60.0,
};

/// One address, whatever the account: a whole office may share it.
pub const PER_ADDRESS: Bucket = Bucket {
    burst: 100.0,
    drain_seconds: 6.0,
};

/// Whether an attempt may go on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Admission {
    /// Yes; the bucket's new level.
    Go(f64),
    /// No: try again after this long.
    Wait(Duration),
}

impl Bucket {
    /// The level `elapsed` after it was `level`.
    pub fn drained(&self, level: f64, elapsed: Duration) -> f64 {
        let seconds = elapsed.num_milliseconds().max(0) as f64 / 1000.0;
        (level - seconds / self.drain_seconds).max(0.0)
    }

    /// One more attempt into a bucket that was at `level` `elapsed` ago.
    pub fn attempt(&self, level: f64, elapsed: Duration) -> Admission {
        let now = self.drained(level, elapsed) + 1.0;
        // A little slack for the rounding of the drained level.
        if now <= self.burst + 1e-9 {
            Admission::Go(now)
        } else {
            let wait = ((now - self.burst) * self.drain_seconds).ceil().max(1.0);
            Admission::Wait(Duration::seconds(wait as i64))
        }
    }
}

/// The bucket keys of an attempt on `email` from `address`.
pub fn keys(email: &str, address: &str) -> [(String, Bucket); 3] {
    [
        (format!("account:{email}"), PER_ACCOUNT),
        (format!("pair:{address}|{email}"), PER_PAIR),
        (format!("address:{address}"), PER_ADDRESS),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bucket: &Bucket, attempts: usize, every: Duration) -> (usize, f64) {
        let mut level = 0.0;
        let mut admitted = 0;
        for _ in 0..attempts {
            if let Admission::Go(l) = bucket.attempt(level, every) {
                level = l;
                admitted += 1;
            } else {
                level = bucket.drained(level, every);
            }
        }
        (admitted, level)
    }

    #[test]
    fn a_burst_then_waits() {
        let (admitted, _) = run(&PER_PAIR, 20, Duration::zero());
        assert_eq!(admitted, 5);
        assert_eq!(
            PER_PAIR.attempt(5.0, Duration::zero()),
            Admission::Wait(Duration::seconds(120))
        );
        assert_eq!(
            PER_PAIR.attempt(5.0, Duration::seconds(90)),
            Admission::Wait(Duration::seconds(30))
        );
        assert!(matches!(
            PER_PAIR.attempt(5.0, Duration::seconds(120)),
            Admission::Go(_)
        ));
    }

    #[test]
    fn old_failures_drain_away() {
        assert_eq!(PER_PAIR.drained(5.0, Duration::minutes(10)), 0.0);
        assert_eq!(PER_PAIR.drained(5.0, Duration::minutes(4)), 3.0);
        // A clock that went back drains nothing and adds nothing.
        assert_eq!(PER_PAIR.drained(2.0, Duration::seconds(-50)), 2.0);
        // One try every two minutes drains as fast as it fills: never locked.
        let (admitted, _) = run(&PER_PAIR, 200, Duration::minutes(2));
        assert_eq!(admitted, 200);
    }

    #[test]
    fn an_office_behind_one_address_keeps_signing_in() {
        // 300 attempts a morning, one every 10 s, stay within the address's bucket.
        let (admitted, _) = run(&PER_ADDRESS, 300, Duration::seconds(10));
        assert_eq!(admitted, 300);
        let (admitted, _) = run(&PER_ADDRESS, 300, Duration::zero());
        assert_eq!(admitted, 100);
    }

    #[test]
    fn the_buckets_are_ordered() {
        let k = keys("a@b.vn", "10.0.0.1");
        assert_eq!(k[0].0, "account:a@b.vn");
        assert_eq!(k[1].0, "pair:10.0.0.1|a@b.vn");
        assert_eq!(k[2].0, "address:10.0.0.1");
    }
}
