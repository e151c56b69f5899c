//! Request authentication (Secure Mode, Development Mode, a verified-token cache hit).

use crate::{Fixture, Operation};

/// The `authenticate` group's operations.
pub fn operations(_fixture: &Fixture) -> Vec<Operation> {
    Vec::new()
}
