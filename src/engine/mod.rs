//! A sans-IO AMQP 1.0 protocol engine: bytes and the time in, bytes, events and the next
//! deadline out. No sockets, no clock, no threads: the messenger's driver does the I/O.

pub mod frame;
pub mod performative;
pub mod sasl;
pub mod slab;
