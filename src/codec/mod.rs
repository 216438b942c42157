//! The AMQP 1.0 type system and its binary encoding (spec part 1.6), as proton's `pn_data_t`.
//!
//! [`Data`] is the tree with proton's cursor; [`encoder`] and [`decoder`] turn it into
//! bytes and back with proton-c 0.37's exact encoding choices; [`format`] renders it as
//! proton's text.

mod data;
pub mod decoder;
pub mod encoder;
pub mod format;
mod types;

pub use data::Data;
pub use types::{Atom, Scalar, Span, Type, INVALID_TYPE};
