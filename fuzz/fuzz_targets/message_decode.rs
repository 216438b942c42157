//! `Message::decode`, every field read, re-encoded and decoded again.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    qpid_proton_fuzz::harness::fuzz_message(data);
});
