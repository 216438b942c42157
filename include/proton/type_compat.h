/* proton/type_compat.h: the standard C types proton's headers use (hand-written).
 *
 * Brings in bool (unless compiling C++), the fixed-width integers and ssize_t.
 */
#ifndef PROTON_TYPE_COMPAT_H
#define PROTON_TYPE_COMPAT_H 1

#if !defined(__cplusplus) && !defined(__bool_true_false_are_defined)
#  include <stdbool.h>
#endif

#include <stdint.h>
#include <sys/types.h>

#endif /* PROTON_TYPE_COMPAT_H */
