//! The committed C headers in `include/proton/` are exactly what cbindgen generates.
//!
//! Each C-facing module `src/ffi/<name>.rs` maps to one legacy proton header
//! `include/proton/<name>.h`, generated from that single file with the shared base
//! configuration in `cbindgen.toml` plus the per-header parts in [`HEADERS`] (include guard,
//! `#include`s, and hand-written text cbindgen cannot produce, such as the prototypes of the
//! variadic exports). Types defined in another module are referenced by name only; the
//! `#include`s make them visible to C.
//!
//! On drift the test fails and names the command that regenerates the headers:
//! `make headers`, i.e. `UPDATE_HEADERS=1 cargo test --release --test headers`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One generated header.
struct Header {
    /// Rust source, relative to the crate root.
    source: &'static str,
    /// Output file name under `include/proton/`.
    name: &'static str,
    /// `#include <...>` lines, in order.
    includes: &'static [&'static str],
    /// Items of `source` to emit even though no function or static of `source` uses them.
    export: &'static [&'static str],
    /// Hand-written text placed after the includes, before any generated item.
    before: &'static str,
    /// Hand-written text placed after the generated declarations.
    after: &'static str,
}

/// Opaque engine handles that proton's types.h declares for every other header. Written by
/// hand into types.h, and never generated elsewhere (a repeated typedef is an error in C99).
const ENGINE_HANDLES: &[&str] = &[
    "pn_connection_t",
    "pn_session_t",
    "pn_link_t",
    "pn_delivery_t",
    "pn_collector_t",
    "pn_listener_t",
    "pn_transport_t",
    "pn_proactor_t",
    "pn_raw_connection_t",
    "pn_event_batch_t",
    "pn_handler_t",
];

const HEADERS: &[Header] = &[
    Header {
        source: "src/ffi/types.rs",
        name: "types.h",
        includes: &["proton/import_export.h", "stddef.h", "proton/type_compat.h"],
        export: &[
            "pn_sequence_t",
            "pn_millis_t",
            "pn_seconds_t",
            "pn_timestamp_t",
            "pn_char_t",
            "pn_decimal32_t",
            "pn_decimal64_t",
            "pn_decimal128_t",
            "pn_uuid_t",
            "pn_bytes_t",
            "pn_rwbytes_t",
            "pn_state_t",
        ],
        before: "",
        after: "", // plus the ENGINE_HANDLES typedefs
    },
    Header {
        source: "src/ffi/error.rs",
        name: "error.h",
        includes: &["proton/import_export.h", "stdarg.h"],
        export: &["pn_error_t"],
        before: "",
        after: "\
/**
 * Clear, then store `code` with a printf-style formatted text (truncated to 1023 bytes).
 * Returns `code`.
 */
int pn_error_format(pn_error_t *error, int code, const char *fmt, ...);

/** As pn_error_format, with the arguments in a va_list. */
int pn_error_vformat(pn_error_t *error, int code, const char *fmt, va_list ap);

/** Evaluate `x` once; if it is negative, return it from the enclosing function. */
#define PN_RETURN_IF_ERROR(x) \\
  do { \\
    int r = (x); \\
    if (r < 0) return r; \\
  } while (0)
",
    },
    Header {
        source: "src/ffi/codec.rs",
        name: "codec.h",
        includes: &[
            "proton/import_export.h",
            "proton/types.h",
            "proton/error.h",
            "proton/type_compat.h",
            "stdarg.h",
        ],
        export: &[
            "pn_data_t",
            "pn_type_t",
            "pn_atom_t",
            "pn_msgid_t",
            "pn_handle_t",
        ],
        before: "",
        after: "\
/** Append values described by the format string `fmt` (proton's fill format). */
int pn_data_fill(pn_data_t *data, const char *fmt, ...);

/** As pn_data_fill, with the arguments in a va_list. */
int pn_data_vfill(pn_data_t *data, const char *fmt, va_list ap);

/** Read values described by the format string `fmt` into the pointed-to arguments. */
int pn_data_scan(pn_data_t *data, const char *fmt, ...);

/** As pn_data_scan, with the arguments in a va_list. */
int pn_data_vscan(pn_data_t *data, const char *fmt, va_list ap);
",
    },
    Header {
        source: "src/ffi/message.rs",
        name: "message.h",
        includes: &[
            "proton/import_export.h",
            "proton/types.h",
            "proton/codec.h",
            "proton/error.h",
            "proton/type_compat.h",
        ],
        export: &["pn_message_t"],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/condition.rs",
        name: "condition.h",
        includes: &[
            "proton/import_export.h",
            "proton/type_compat.h",
            "proton/types.h",
        ],
        export: &["pn_condition_t"],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/terminus.rs",
        name: "terminus.h",
        includes: &[
            "proton/import_export.h",
            "proton/type_compat.h",
            "proton/types.h",
        ],
        export: &[
            "pn_terminus_t",
            "pn_terminus_type_t",
            "pn_durability_t",
            "pn_expiry_policy_t",
            "pn_distribution_mode_t",
        ],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/link.rs",
        name: "link.h",
        includes: &[
            "proton/import_export.h",
            "proton/type_compat.h",
            "proton/condition.h",
            "proton/terminus.h",
            "proton/types.h",
        ],
        export: &[],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/disposition.rs",
        name: "disposition.h",
        includes: &[
            "proton/import_export.h",
            "proton/type_compat.h",
            "proton/condition.h",
            "proton/types.h",
        ],
        export: &["pn_disposition_t"],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/delivery.rs",
        name: "delivery.h",
        includes: &[
            "proton/import_export.h",
            "proton/disposition.h",
            "proton/type_compat.h",
            "proton/types.h",
        ],
        export: &[],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/selectable.rs",
        name: "selectable.h",
        includes: &["proton/import_export.h", "proton/types.h"],
        export: &["pn_socket_t", "pn_selectable_t", "pn_record_t"],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/transport.rs",
        name: "transport.h",
        includes: &[
            "proton/import_export.h",
            "proton/type_compat.h",
            "proton/condition.h",
            "proton/types.h",
        ],
        export: &["pn_trace_t", "pn_tracer_t"],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/ssl.rs",
        name: "ssl.h",
        includes: &[
            "proton/import_export.h",
            "proton/type_compat.h",
            "proton/types.h",
        ],
        export: &[
            "pn_ssl_domain_t",
            "pn_ssl_t",
            "pn_ssl_mode_t",
            "pn_ssl_resume_status_t",
            "pn_ssl_verify_mode_t",
            "pn_ssl_cert_subject_subfield",
            "pn_ssl_hash_alg",
        ],
        before: "",
        after: "",
    },
    Header {
        source: "src/ffi/messenger.rs",
        name: "messenger.h",
        includes: &[
            "proton/import_export.h",
            "proton/message.h",
            "proton/selectable.h",
            "proton/link.h",
            "proton/transport.h",
            "proton/ssl.h",
        ],
        export: &["pn_messenger_t", "pn_subscription_t"],
        before: "",
        after: "",
    },
];

/// Marker in every generated header (see `autogen_warning` in cbindgen.toml).
const GENERATED_MARKER: &str = "Generated by cbindgen";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn guard_name(name: &str) -> String {
    format!(
        "PROTON_{}",
        name.to_ascii_uppercase().replace(['.', '/', '-'], "_")
    )
}

/// Generate one header into memory.
fn generate(root: &Path, header: &Header) -> Result<String, String> {
    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml"))?;
    let guard = guard_name(header.name);

    // The include guard and the `extern "C"` block are written here rather than by cbindgen:
    // cbindgen puts its trailer after the guard's #endif, and its cpp_compat block uses `//`
    // comments, which proton's own headers avoid (they are C89-clean).
    config.include_guard = None;
    config.cpp_compat = false;
    config.header = Some(format!(
        "/* proton/{name}: proton-c 0.37's {name}, from {source}. */\n\
         #ifndef {guard}\n\
         #define {guard} 1",
        name = header.name,
        source = header.source,
    ));
    config.sys_includes = header.includes.iter().map(|s| s.to_string()).collect();
    let mut before = String::from("\n#ifdef __cplusplus\nextern \"C\" {\n#endif");
    if !header.before.is_empty() {
        write!(before, "\n\n{}", header.before.trim_end()).unwrap();
    }
    config.after_includes = Some(before);

    let mut after = String::new();
    if header.name == "types.h" {
        after.push_str("/* Opaque engine handles, declared here for every other header. */\n");
        for name in ENGINE_HANDLES {
            writeln!(after, "typedef struct {name} {name};").unwrap();
        }
        after.push('\n');
    } else {
        config
            .export
            .exclude
            .extend(ENGINE_HANDLES.iter().map(|s| s.to_string()));
    }
    if !header.after.is_empty() {
        write!(after, "{}\n\n", header.after.trim_end()).unwrap();
    }
    write!(
        after,
        "#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {guard} */"
    )
    .unwrap();
    config.trailer = Some(after);
    config
        .export
        .include
        .extend(header.export.iter().map(|s| s.to_string()));

    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join(header.source))
        .generate()
        .map_err(|e| format!("cbindgen failed on {}: {e}", header.source))?;
    let mut out = Vec::new();
    bindings.write(&mut out);
    let text = String::from_utf8(out).map_err(|e| e.to_string())?;
    // A `cbindgen:` annotation after a blank `///` line leaves an empty last doc line.
    Ok(text.replace("\n *\n */\n", "\n */\n"))
}

/// The first line where two texts differ, for the failure message.
fn first_difference(old: &str, new: &str) -> String {
    let (mut a, mut b) = (old.lines(), new.lines());
    for line in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {line}:\n    committed: {}\n    generated: {}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                )
            }
        }
    }
    String::from("(no line differs)")
}

#[test]
fn headers_match_cbindgen_output() {
    let root = root();
    let update = std::env::var_os("UPDATE_HEADERS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();

    for header in HEADERS {
        let path = root.join("include/proton").join(header.name);
        let generated = match generate(&root, header) {
            Ok(text) => text,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let committed = std::fs::read_to_string(&path).ok();
        if committed.as_deref() == Some(generated.as_str()) {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
            eprintln!("updated include/proton/{}", header.name);
        } else {
            let why = match &committed {
                None => String::from("missing"),
                Some(old) => first_difference(old, &generated),
            };
            problems.push(format!("include/proton/{} is stale: {why}", header.name));
        }
    }

    assert!(
        problems.is_empty(),
        "\n{}\n\nRegenerate the headers with `make headers` \
         (or `UPDATE_HEADERS=1 cargo test --release --test headers`).\n",
        problems.join("\n")
    );
}

/// Every generated header in include/proton/ has an entry in [`HEADERS`]; hand-written ones
/// (version.h, import_export.h, type_compat.h, ...) carry no generated marker.
#[test]
fn no_orphan_generated_headers() {
    let dir = root().join("include/proton");
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(&dir).into_iter().flatten() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(GENERATED_MARKER) && !HEADERS.iter().any(|h| h.name == name) {
            orphans.push(name);
        }
    }
    assert!(
        orphans.is_empty(),
        "generated headers with no entry in tests/headers.rs: {orphans:?}"
    );
}
