//! A connection (byte 0: client or server) fed a scripted peer's well-formed frames, built
//! from the input's choices. See `harness::fuzz_script`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    qpid_proton_fuzz::harness::fuzz_script(data);
});
