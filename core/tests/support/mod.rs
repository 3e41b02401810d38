pub mod events;
pub mod fault_front;
pub mod fault_op;
pub mod idp;
pub mod keys;
