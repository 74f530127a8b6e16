//! A sleep that works on every executor: waiting for a lock must not hold a statement open on
//! the server, nor block an executor's thread, nor need a particular runtime's timer.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A future ready `duration` from its first poll: a thread of its own sleeps and wakes the task.
pub(crate) fn sleep(duration: Duration) -> Sleep {
    Sleep { duration, deadline: None, shared: Arc::new(Mutex::new(Wake::default())) }
}

pub(crate) struct Sleep {
    duration: Duration,
    deadline: Option<Instant>,
    shared: Arc<Mutex<Wake>>,
}

#[derive(Default)]
struct Wake {
    done: bool,
    waker: Option<Waker>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.deadline.is_none() {
            let deadline = Instant::now() + self.duration;
            self.deadline = Some(deadline);
            let shared = Arc::clone(&self.shared);
            let spawned = std::thread::Builder::new().name("strata-timer".into()).spawn(move || {
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                let mut wake = shared.lock().unwrap_or_else(PoisonError::into_inner);
                wake.done = true;
                if let Some(waker) = wake.waker.take() {
                    waker.wake();
                }
            });
            if spawned.is_err() {
                // No thread to be had: wait here rather than not at all.
                std::thread::sleep(self.duration);
                return Poll::Ready(());
            }
        }
        let mut wake = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        if wake.done {
            return Poll::Ready(());
        }
        wake.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_wakes_the_task_after_the_duration() {
        let runtime = std::thread::spawn(|| {
            let started = Instant::now();
            // A minimal executor: park until woken.
            let thread = std::thread::current();
            let waker = Waker::from(Arc::new(Unpark(thread)));
            let mut context = Context::from_waker(&waker);
            let mut future = std::pin::pin!(sleep(Duration::from_millis(30)));
            let mut polls = 0;
            while future.as_mut().poll(&mut context).is_pending() {
                polls += 1;
                std::thread::park();
            }
            (started.elapsed(), polls)
        });
        let (elapsed, polls) = runtime.join().unwrap_or((Duration::ZERO, 0));
        assert!(elapsed >= Duration::from_millis(30), "{elapsed:?}");
        assert!(polls >= 1, "it was pending before it was ready");
    }

    struct Unpark(std::thread::Thread);

    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
}
