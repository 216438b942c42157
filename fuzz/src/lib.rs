//! The fuzz targets' shared harness (also replayed by `tests/engine_corpus.rs`).
pub mod harness;
