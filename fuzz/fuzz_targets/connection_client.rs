//! A client connection fed the peer's bytes: 2 plan bytes (chunking, setup, options),
//! then the stream. See `harness::fuzz_connection`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qpid_proton::engine::Side;

fuzz_target!(|data: &[u8]| {
    qpid_proton_fuzz::harness::fuzz_connection(Side::Client, data);
});
