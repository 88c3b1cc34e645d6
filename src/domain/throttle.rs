//! How long sign-in waits after failed attempts: nothing for the first few,
//! then a wait that doubles with each failure, up to a ceiling.

use chrono::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any wait.
    pub free_failures: u32,
    pub first_wait: Duration,
    pub max_wait: Duration,
}

/// Per account: five tries, then 15 s doubling to 15 min.
pub const PER_ACCOUNT: ThrottlePolicy = ThrottlePolicy {
    free_failures: 5,
    first_wait: Duration::seconds(15),
    max_wait: Duration::minutes(15),
};

/// Per address: an office may share one address, so it allows more.
pub const PER_ADDRESS: ThrottlePolicy = ThrottlePolicy {
    free_failures: 30,
    first_wait: Duration::seconds(15),
    max_wait: Duration::minutes(15),
};

impl ThrottlePolicy {
    /// The wait imposed after `failures` failures in a row.
    pub fn wait_after(&self, failures: u32) -> Option<Duration> {
        let over = failures.checked_sub(self.free_failures)?;
        // 2^over grows past the ceiling long before it could overflow at 20 doublings.
        let factor = 1i64 << over.min(20);
        let wait = self
            .first_wait
            .checked_mul(factor as i32)
            .unwrap_or(self.max_wait);
        Some(wait.min(self.max_wait))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failures_cost_nothing() {
        for n in 0..5 {
            assert_eq!(PER_ACCOUNT.wait_after(n), None);
        }
    }

    #[test]
    fn waits_double_up_to_the_ceiling() {
        assert_eq!(PER_ACCOUNT.wait_after(5), Some(Duration::seconds(15)));
        assert_eq!(PER_ACCOUNT.wait_after(6), Some(Duration::seconds(30)));
        assert_eq!(PER_ACCOUNT.wait_after(7), Some(Duration::seconds(60)));
        assert_eq!(
            PER_ACCOUNT.wait_after(11),
            Some(Duration::seconds(960).min(Duration::minutes(15)))
        );
        assert_eq!(PER_ACCOUNT.wait_after(20), Some(Duration::minutes(15)));
        assert_eq!(
            PER_ACCOUNT.wait_after(u32::MAX),
            Some(Duration::minutes(15))
        );
    }

    #[test]
    fn addresses_get_more_tries() {
        assert_eq!(PER_ADDRESS.wait_after(20), None);
        assert!(PER_ADDRESS.wait_after(30).is_some());
    }
}
