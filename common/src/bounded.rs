//! A blocking call that takes no timeout of its own (getaddrinfo, a database client's whole
//! exchange), bounded by the check's budget: it runs on a thread of its own and the caller waits
//! at most the limit for its answer. Past the limit the thread is left behind (it holds nothing
//! the ending needs, and the process ends soon after) and the caller reports the silence in its
//! own words: for a server that is "no answer" (CRITICAL), not the runner's UNKNOWN timeout.

use std::sync::mpsc;
use std::time::Duration;

/// What became of the call.
#[derive(Debug, PartialEq, Eq)]
pub enum Bounded<T> {
    /// It answered within the limit.
    Done(T),
    /// No answer within the limit (also when the thread ended without one: a panic there
    /// goes to the runner's panic hook, which ends the check UNKNOWN).
    TimedOut,
    /// No thread could be started (the system's limit on threads): the cause, for an UNKNOWN.
    NoThread(String),
}

/// Run `work` on a thread named `name` and wait at most `limit` for it.
pub fn run_bounded<T, F>(name: &str, limit: Duration, work: F) -> Bounded<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            // The receiver is gone when the caller gave up: nobody to tell.
            let _ = tx.send(work());
        });
    if let Err(e) = spawned {
        return Bounded::NoThread(format!("cannot start a thread for {name}: {e}"));
    }
    match rx.recv_timeout(limit) {
        Ok(answer) => Bounded::Done(answer),
        Err(_) => Bounded::TimedOut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn an_answer_within_the_limit_is_returned() {
        assert_eq!(
            run_bounded("t", Duration::from_secs(5), || 6 * 7),
            Bounded::Done(42)
        );
    }

    #[test]
    fn a_call_that_hangs_is_given_up_at_the_limit() {
        let started = Instant::now();
        let got = run_bounded("t", Duration::from_millis(100), || {
            std::thread::sleep(Duration::from_secs(30));
            1
        });
        assert_eq!(got, Bounded::TimedOut);
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(100), "{waited:?}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
    }
}
