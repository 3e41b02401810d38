//! A listener that records the session events it hears.
#![allow(dead_code)]

use std::sync::Mutex;

use logto_core::{AuthStateEvent, AuthStateListener};

#[derive(Default)]
pub struct Events(Mutex<Vec<AuthStateEvent>>);

impl AuthStateListener for Events {
    fn on_auth_state_changed(&self, event: AuthStateEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Events {
    /// The events heard since the last call.
    pub fn take(&self) -> Vec<AuthStateEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}
