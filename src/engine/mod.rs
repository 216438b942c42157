//! A sans-IO AMQP 1.0 protocol engine: bytes and the time in, bytes, events and the next
//! deadline out. No sockets, no clock, no threads: the messenger's driver does the I/O.
//!
//! [`connection::Connection`] is the whole stack for one connection: protocol headers,
//! SASL ([`sasl`]), frames ([`frame`]), performatives ([`performative`]) and the
//! connection/session/link/delivery state ([`endpoint`]). [`transport::Transport`] puts
//! TLS ([`tls`]) below it.

pub mod connection;
pub mod dispositions;
pub mod endpoint;
pub mod frame;
pub mod performative;
pub mod sasl;
pub mod slab;
pub mod tag;
pub mod tls;
pub mod trace;
pub mod transport;
pub mod unsettled;

pub use connection::{Config, Connection, Event, Side};
pub use endpoint::{DeliveryId, EndpointState, LinkId, LinkSettings, SessionId};
pub use transport::Transport;
