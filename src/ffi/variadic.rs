//! Exports for proton's C-variadic functions.
//!
//! Stable Rust cannot define a function taking `...`, and a cdylib exports only symbols
//! Rust defines, so each variadic export is a naked Rust function that tail-jumps to its C
//! implementation in `variadic.c`. A bare jump leaves every argument register, the stack
//! and `%al` untouched, so the C function sees exactly the caller's variadic call.
//! Their C prototypes are written by hand in cbindgen.toml, since cbindgen cannot see them.

macro_rules! trampoline {
    ($export:ident => $target:ident) => {
        extern "C" {
            fn $target();
        }

        #[unsafe(naked)]
        #[no_mangle]
        pub extern "C" fn $export() {
            #[cfg(target_arch = "x86_64")]
            core::arch::naked_asm!("jmp {target}", target = sym $target);
            #[cfg(target_arch = "aarch64")]
            core::arch::naked_asm!("b {target}", target = sym $target);
        }
    };
}

trampoline!(pn_error_format => pni_error_format);
trampoline!(pn_error_vformat => pni_error_vformat);
trampoline!(pn_data_fill => pni_data_fill);
trampoline!(pn_data_vfill => pni_data_vfill);
trampoline!(pn_data_scan => pni_data_scan);
trampoline!(pn_data_vscan => pni_data_vscan);
