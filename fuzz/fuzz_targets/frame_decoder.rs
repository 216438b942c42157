//! Frames: `parse_frame`, then `decode_performative` / `decode_sasl` on every body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    qpid_proton_fuzz::harness::fuzz_frames(data);
});
