//! The clock: the core never reads it; the C ABI reads it only when asked to.

use std::time::{SystemTime, UNIX_EPOCH};

/// Pass as `now` to use the system clock (Unix seconds) instead of an explicit time.
pub const NOTIFLOWS_AUTH_CURRENT_TIME: i64 = i64::MIN;

/// `now`, or the system clock's Unix seconds when `now` is [`NOTIFLOWS_AUTH_CURRENT_TIME`].
pub(crate) fn resolve_now(now: i64) -> i64 {
    if now != NOTIFLOWS_AUTH_CURRENT_TIME {
        return now;
    }
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN + 1, |s| -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_times_pass_through_and_the_sentinel_reads_the_clock() {
        assert_eq!(resolve_now(0), 0);
        assert_eq!(resolve_now(-5), -5);
        assert_eq!(resolve_now(i64::MAX), i64::MAX);
        let now = resolve_now(NOTIFLOWS_AUTH_CURRENT_TIME);
        assert!(now > 1_700_000_000, "{now}");
    }
}
