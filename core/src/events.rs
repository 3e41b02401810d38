//! Session-change events and their delivery to listeners.
//!
//! Events are queued in the order the changes were committed (the session store queues them while it holds its
//! write lock) and delivered afterwards, with no lock of the SDK held, so a listener may call back into the client.
//! One thread delivers at a time; a thread that finds another one delivering leaves its events to it, so listeners
//! see every event once and in commit order.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// A change of the session, reported to the [`AuthStateListener`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthStateEvent {
    /// A sign-in completed (here, or in another process sharing the storage).
    SignedIn,
    /// A refresh stored new tokens.
    TokensRefreshed,
    /// `sign_out` or `clear_all_tokens` removed the session (here, or in another process sharing the storage).
    SignedOut,
    /// The session ended without the user asking: the server refused the refresh token (`invalid_grant`), or a
    /// refreshed ID token failed a security check.
    SessionExpired,
}

/// Receives [`AuthStateEvent`]s, in the order the changes happened, on whichever thread completed the change (never
/// while the SDK holds a lock). Keep it quick; a panic in it is contained.
pub trait AuthStateListener: Send + Sync {
    fn on_auth_state_changed(&self, event: AuthStateEvent);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The listeners of every client on one session, and the queue of events not yet delivered.
#[derive(Default)]
pub(crate) struct EventHub {
    queue: Mutex<VecDeque<AuthStateEvent>>,
    delivering: Mutex<()>,
    listeners: RwLock<Vec<(u64, Arc<dyn AuthStateListener>)>>,
    next_id: AtomicU64,
}

impl EventHub {
    /// A slot for one client's listener.
    pub fn register(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn set_listener(&self, slot: u64, listener: Option<Arc<dyn AuthStateListener>>) {
        let mut listeners = self.listeners.write().unwrap_or_else(|p| p.into_inner());
        listeners.retain(|(id, _)| *id != slot);
        if let Some(listener) = listener {
            listeners.push((slot, listener));
        }
    }

    /// Queues events; called while the change is being committed, so the queue is in commit order.
    pub fn queue(&self, events: impl IntoIterator<Item = AuthStateEvent>) {
        lock(&self.queue).extend(events);
    }

    /// Whether queued events have a listener to go to. Events nobody listens to are dropped here, as
    /// [`deliver`](Self::deliver) would drop them, without a thread to run it on.
    pub fn has_deliveries(&self) -> bool {
        let listeners = self.listeners.read().unwrap_or_else(|p| p.into_inner());
        let mut queue = lock(&self.queue);
        if listeners.is_empty() {
            queue.clear();
        }
        !queue.is_empty()
    }

    /// Delivers queued events. Call with no lock held.
    pub fn deliver(&self) {
        loop {
            let Ok(_delivering) = self.delivering.try_lock() else { return };
            loop {
                // Popped in a statement of its own: the queue's lock must not be held while listeners run.
                let next = lock(&self.queue).pop_front();
                let Some(event) = next else { break };
                let listeners: Vec<_> = self
                    .listeners
                    .read()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .map(|(_, l)| Arc::clone(l))
                    .collect();
                for listener in listeners {
                    let _ = catch_unwind(AssertUnwindSafe(|| listener.on_auth_state_changed(event)));
                }
            }
            drop(_delivering);
            // An event queued after our last look, by a thread that saw us delivering, is ours to deliver.
            if lock(&self.queue).is_empty() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Barrier;
    use std::thread;

    use super::*;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<AuthStateEvent>>);
    impl AuthStateListener for Recorder {
        fn on_auth_state_changed(&self, event: AuthStateEvent) {
            lock(&self.0).push(event);
        }
    }

    /// Events queued from many threads (each queue call standing for one commit) are each delivered exactly once,
    /// and a panicking listener does not stop delivery to the others.
    #[test]
    fn concurrent_delivery_is_complete_and_ordered() {
        struct Panicker(std::sync::atomic::AtomicBool);
        impl AuthStateListener for Panicker {
            fn on_auth_state_changed(&self, _: AuthStateEvent) {
                if !self.0.swap(true, Ordering::SeqCst) {
                    panic!("listener bug (expected by this test)");
                }
            }
        }
        let hub = Arc::new(EventHub::default());
        let recorder = Arc::new(Recorder::default());
        let (a, b) = (hub.register(), hub.register());
        hub.set_listener(a, Some(Arc::new(Panicker(Default::default()))));
        hub.set_listener(b, Some(recorder.clone()));
        let order = Arc::new(Mutex::new(Vec::new()));
        let barrier = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let (hub, order, barrier) = (hub.clone(), order.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    for j in 0..200 {
                        let event = if (i + j) % 2 == 0 { AuthStateEvent::SignedIn } else { AuthStateEvent::SignedOut };
                        // The commit: recorded order and queue order are the same critical section, as in the store.
                        {
                            let mut order = lock(&order);
                            order.push(event);
                            hub.queue([event]);
                        }
                        hub.deliver();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        hub.deliver();
        assert_eq!(*lock(&recorder.0), *lock(&order), "every event once, in commit order");
        hub.set_listener(b, None);
        hub.queue([AuthStateEvent::SignedIn]);
        hub.deliver();
        assert_eq!(lock(&recorder.0).len(), 1600, "a removed listener hears nothing more");
    }
}
