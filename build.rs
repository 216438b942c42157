//! Build script: gives the shared library proton's soname and compiles the small C file
//! that holds the variadic exports (stable Rust cannot define C-variadic functions).

fn main() {
    println!("cargo:rerun-if-changed=src/ffi/variadic.c");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libqpid-proton.so.11");
    cc::Build::new()
        .file("src/ffi/variadic.c")
        .flag_if_supported("-Wall")
        .flag_if_supported("-Wextra")
        .compile("proton_variadic");
}
