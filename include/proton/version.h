/* proton/version.h: the proton-c release this library is a drop-in for (hand-written). */
#ifndef _PROTON_VERSION_H
#define _PROTON_VERSION_H 1

#define PN_VERSION_MAJOR 0
#define PN_VERSION_MINOR 37
#define PN_VERSION_POINT 0

/* Where Debian's proton-c installs; kept for programs that print or test it. */
#define PN_INSTALL_PREFIX "/usr"

#endif /* _PROTON_VERSION_H */
