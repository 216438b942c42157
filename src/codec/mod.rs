//! The AMQP 1.0 type system and its binary encoding (spec part 1.6), as proton's `pn_data_t`.
//!
//! [`Data`] is the tree with proton's cursor; [`encoder`] and [`decoder`] turn it into
//! bytes and back with proton-c 0.37's exact encoding choices; [`format`] renders it as
//! proton's text; [`trace_format`] prints encoded values as 0.37's frame traces do.

mod data;
pub mod decoder;
pub mod encoder;
pub mod format;
pub mod trace_format;
mod types;

pub use data::Data;
pub use types::{Atom, Scalar, Span, Type, INVALID_TYPE};
