//! The handle of a background thread (the mail worker, the upkeep worker): dropping it, or
//! [`WorkerHandle::stop`], tells the thread to stop after its current round and waits for it.

use std::sync::mpsc;
use std::thread::JoinHandle;

/// A running worker thread that ends when its stop channel closes.
pub struct WorkerHandle {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl WorkerHandle {
    /// The handle of `thread`, which stops once `stop` is dropped (its receiver disconnects).
    pub fn new(stop: mpsc::Sender<()>, thread: JoinHandle<()>) -> Self {
        Self {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
