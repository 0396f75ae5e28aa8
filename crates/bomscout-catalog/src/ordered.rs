//! Making items on every thread of the rayon pool while they are consumed in order.
//!
//! A scan parses files in parallel but must merge their catalogs in file order (the merge
//! keeps the first value it sees of a property, appends licenses in order: the document
//! must not depend on which thread finished first). Parsing in batches with a barrier
//! between them left one core idle at the end of every batch that held a large lockfile
//! (a 1 MB uv.lock parses for tens of milliseconds while the other thread has nothing left).
//! Here every worker takes the next index, makes its item, and whichever worker finishes
//! the item the consumer waits for also hands over every item ready after it: no thread
//! waits for a batch, and only one consumes at a time.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// How many items may be made ahead of the consumer, per thread: enough that a slow item
/// does not stop the other threads at once, few enough that the items waiting for it stay
/// a small part of memory (a catalog of a large lockfile holds every package of it).
const AHEAD_PER_THREAD: usize = 8;

/// Calls `make(i)` for every `i` in `0..count` on the current rayon pool's threads and
/// `consume` with each result, in order of `i`, one at a time. At most about
/// [`AHEAD_PER_THREAD`] items per thread are made and not yet consumed.
///
/// A panic in `make` or `consume` reaches the caller after the other workers have stopped.
pub(crate) fn for_each_in_order<T: Send>(
    count: usize,
    make: impl Fn(usize) -> T + Sync,
    consume: impl FnMut(T) + Send,
) {
    let threads = rayon::current_num_threads().max(1);
    let shared = Shared {
        next: AtomicUsize::new(0),
        ahead: (threads * AHEAD_PER_THREAD).max(16),
        state: Mutex::new(State {
            consumed: 0,
            ready: BTreeMap::new(),
            stopped: false,
        }),
        moved: Condvar::new(),
        consume: Mutex::new(consume),
    };
    rayon::scope(|scope| {
        for _ in 0..threads.min(count) {
            scope.spawn(|_| {
                let _stop_on_panic = StopOnPanic(&shared);
                shared.work(count, &make);
            });
        }
    });
}

struct Shared<T, C> {
    /// The next index to make.
    next: AtomicUsize,
    ahead: usize,
    state: Mutex<State<T>>,
    /// Signalled when items are consumed or the work stops.
    moved: Condvar,
    /// The consumer; held by the one worker that hands items over.
    consume: Mutex<C>,
}

struct State<T> {
    /// How many items have been consumed: the index the consumer waits for.
    consumed: usize,
    /// Items made and not yet consumed, by index.
    ready: BTreeMap<usize, T>,
    /// Set when a worker panicked: the others stop instead of waiting for its item.
    stopped: bool,
}

impl<T: Send, C: FnMut(T) + Send> Shared<T, C> {
    fn work(&self, count: usize, make: &impl Fn(usize) -> T) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= count || !self.wait_for_room(i) {
                return;
            }
            let item = make(i);
            self.lock().ready.insert(i, item);
            self.hand_over();
        }
    }

    /// Waits until item `i` is within [`Shared::ahead`] of the consumer; false if the work
    /// stopped. The worker holding the item the consumer waits for never waits here, so
    /// the wait always ends.
    fn wait_for_room(&self, i: usize) -> bool {
        let mut state = self.lock();
        while !state.stopped && i >= state.consumed + self.ahead {
            state = self
                .moved
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !state.stopped
    }

    /// Consumes every item that is next in order, unless another worker is doing so (it
    /// will see this worker's item: it checks again after releasing the consumer).
    fn hand_over(&self) {
        loop {
            let Ok(mut consume) = self.consume.try_lock() else {
                return;
            };
            loop {
                let item = {
                    let mut state = self.lock();
                    let next = state.consumed;
                    match state.ready.remove(&next) {
                        Some(item) => item,
                        None => break,
                    }
                };
                consume(item);
                self.lock().consumed += 1;
                self.moved.notify_all();
            }
            drop(consume);
            // An item may have become ready between the last look and the release.
            let state = self.lock();
            if !state.ready.contains_key(&state.consumed) {
                return;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Stops the other workers when this one unwinds, so none waits for an item that will
/// never come; the panic then propagates out of the scope.
struct StopOnPanic<'a, T, C>(&'a Shared<T, C>);

impl<T, C> Drop for StopOnPanic<'_, T, C> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.stopped = true;
            drop(state);
            self.0.moved.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pool(threads: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
    }

    /// Items come out in order whatever order they finish in, each once, and never more
    /// than the window ahead of the consumer.
    #[test]
    fn consumes_in_order_with_bounded_lookahead() {
        for threads in [1, 2, 4] {
            let made = AtomicUsize::new(0);
            let mut seen = Vec::new();
            let mut most_ahead = 0;
            pool(threads).install(|| {
                for_each_in_order(
                    500,
                    |i| {
                        // Every 37th item is slow: the others run ahead of it.
                        if i % 37 == 0 {
                            std::thread::sleep(Duration::from_millis(3));
                        }
                        made.fetch_add(1, Ordering::SeqCst);
                        i
                    },
                    |i| {
                        let ahead = made.load(Ordering::SeqCst) - seen.len();
                        most_ahead = most_ahead.max(ahead);
                        seen.push(i);
                    },
                );
            });
            assert_eq!(seen, (0..500).collect::<Vec<_>>(), "{threads} threads");
            let window = (threads * AHEAD_PER_THREAD).max(16);
            assert!(
                most_ahead <= window + threads,
                "{most_ahead} ahead, {threads} threads"
            );
        }
    }

    #[test]
    fn no_items_and_fewer_items_than_threads() {
        let mut seen = Vec::new();
        pool(4).install(|| for_each_in_order(0, |i| i, |i| seen.push(i)));
        assert!(seen.is_empty());
        pool(4).install(|| for_each_in_order(2, |i| i * 10, |i| seen.push(i)));
        assert_eq!(seen, [0, 10]);
    }

    /// A panic while making an item reaches the caller; the workers waiting for room
    /// behind it stop instead of hanging.
    #[test]
    fn a_panic_in_make_propagates_and_nothing_hangs() {
        let result = std::panic::catch_unwind(|| {
            pool(2).install(|| {
                for_each_in_order(
                    10_000,
                    |i| {
                        if i == 3 {
                            std::thread::sleep(Duration::from_millis(20));
                            panic!("item 3");
                        }
                        i
                    },
                    |_| {},
                )
            })
        });
        assert!(result.is_err());
    }

    /// Nested in another pool's parallel loop (as `inventory` scans repositories), each
    /// call still consumes its own items in order.
    #[test]
    fn nested_calls_in_a_parallel_loop_finish_in_order() {
        use rayon::prelude::*;
        let outputs: Vec<Vec<usize>> = pool(2).install(|| {
            (0..8usize)
                .into_par_iter()
                .map(|n| {
                    let mut seen = Vec::new();
                    for_each_in_order(100 + n, |i| i + n, |i| seen.push(i));
                    seen
                })
                .collect()
        });
        for (n, seen) in outputs.iter().enumerate() {
            assert_eq!(*seen, (n..100 + 2 * n).collect::<Vec<_>>());
        }
    }
}
