/* proton/import_export.h: symbol-visibility and deprecation macros (hand-written).
 *
 * Every symbol of libqpid-proton.so.11 is exported by the Rust build itself, so for users of
 * the library these macros only decorate declarations: PN_EXTERN (core API), PNX_EXTERN
 * ("extra" API such as messenger.h), PNP_EXTERN (proactor) and PN_TLS_EXTERN (TLS).
 */
#ifndef PROTON_IMPORT_EXPORT_H
#define PROTON_IMPORT_EXPORT_H 1

#if defined(PROTON_DECLARE_STATIC)
#  define PN_EXPORT
#  define PN_IMPORT
#elif defined(_WIN32)
#  define PN_EXPORT __declspec(dllexport)
#  define PN_IMPORT __declspec(dllimport)
#else
#  define PN_EXPORT __attribute__((visibility("default")))
#  define PN_IMPORT
#endif

/* Building the library exports; using it imports. */
#if defined(qpid_proton_core_EXPORTS) || defined(qpid_proton_EXPORTS)
#  define PN_EXTERN PN_EXPORT
#else
#  define PN_EXTERN PN_IMPORT
#endif

#if defined(qpid_proton_proactor_EXPORTS) || defined(qpid_proton_EXPORTS)
#  define PNP_EXTERN PN_EXPORT
#else
#  define PNP_EXTERN PN_IMPORT
#endif

#if defined(qpid_proton_tls_EXPORTS)
#  define PN_TLS_EXTERN PN_EXPORT
#else
#  define PN_TLS_EXTERN PN_IMPORT
#endif

#if defined(qpid_proton_EXPORTS)
#  define PNX_EXTERN PN_EXPORT
#else
#  define PNX_EXTERN PN_IMPORT
#endif

/* PN_DEPRECATED(message) marks an API as deprecated (a compiler warning at each use),
 * unless the program defines PN_USE_DEPRECATED_API before including proton headers. */
#if !defined(PN_USE_DEPRECATED_API)
#  if defined(_WIN32)
#    define PN_DEPRECATED(message) __declspec(deprecated(message))
#  elif defined(__GNUC__)
#    if (__GNUC__ * 100 + __GNUC_MINOR__) >= 405
#      define PN_DEPRECATED(message) __attribute__((deprecated(message)))
#    else
#      define PN_DEPRECATED(message) __attribute__((deprecated))
#    endif
#  endif
#endif
#ifndef PN_DEPRECATED
#  define PN_DEPRECATED(message)
#endif

#endif /* PROTON_IMPORT_EXPORT_H */
