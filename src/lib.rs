//! A Rust reimplementation of Apache Qpid Proton's Messenger library.
//!
//! The crate builds `libqpid-proton.so.11`, a drop-in replacement for proton-c 0.37:
//! the C ABI lives in [`ffi`] (the only module allowed to use `unsafe`), everything else
//! is safe, idiomatic Rust that knows nothing about C.
#![deny(unsafe_code)]

pub mod codec;
pub mod engine;
pub mod error;
pub mod message;
pub mod messenger;

#[allow(unsafe_code)]
pub mod ffi;
