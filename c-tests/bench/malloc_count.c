/*
 * malloc_count.c - tiny LD_PRELOAD allocation counter for the codec bench.
 *
 * Interposes malloc, calloc, realloc, free, posix_memalign, aligned_alloc
 * and memalign, forwarding to the next definition (glibc) found with
 * dlsym(RTLD_NEXT).  Counters are process-wide relaxed atomics and can be
 * read through the exported function malloc_count_get() (see
 * malloc_count.h); the bench looks it up with dlsym(RTLD_DEFAULT, ...) so it
 * still runs (printing n/a) without the shim.
 *
 * Bootstrap: dlsym() itself may call calloc/malloc before the real
 * functions are known; those requests are served from a small static arena
 * that is never returned to glibc.
 *
 * Build: cc -O2 -fPIC -shared -o malloc_count.so malloc_count.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "malloc_count.h"

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*posix_memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_alloc_fn)(size_t, size_t);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static posix_memalign_fn real_posix_memalign;
static aligned_alloc_fn real_aligned_alloc;
static aligned_alloc_fn real_memalign;

static unsigned long long c_allocs, c_frees, c_reallocs, c_bytes;

#define ADD(counter, n) __atomic_fetch_add(&(counter), (n), __ATOMIC_RELAXED)

/* Static arena for allocations made while dlsym() is resolving symbols. */
static _Alignas(16) char boot_arena[16384];
static size_t boot_used;
static int in_init;

static int is_boot(const void *p)
{
  return (const char *)p >= boot_arena && (const char *)p < boot_arena + sizeof boot_arena;
}

static void *boot_alloc(size_t n)
{
  size_t off = (boot_used + 15) & ~(size_t)15;
  if (off + n > sizeof boot_arena) return NULL;
  boot_used = off + n;
  return boot_arena + off;
}

static void init(void)
{
  if (real_free || in_init) return;
  in_init = 1;
  real_malloc = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
  real_calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
  real_realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
  real_posix_memalign = (posix_memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = (aligned_alloc_fn)dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = (aligned_alloc_fn)dlsym(RTLD_NEXT, "memalign");
  real_free = (free_fn)dlsym(RTLD_NEXT, "free");
  in_init = 0;
}

void *malloc(size_t n)
{
  if (!real_malloc) {
    if (in_init) return boot_alloc(n);
    init();
  }
  ADD(c_allocs, 1);
  ADD(c_bytes, n);
  return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
  if (!real_calloc) {
    if (in_init) return boot_alloc(n * size); /* arena is zero-initialised */
    init();
  }
  ADD(c_allocs, 1);
  ADD(c_bytes, n * size);
  return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
  if (!real_realloc) {
    if (in_init) return boot_alloc(n);
    init();
  }
  if (p && is_boot(p)) {
    /* Move a bootstrap block to the real heap (old size unknown: copy what
       can exist of it inside the arena). */
    void *q = malloc(n);
    if (q) {
      size_t avail = (size_t)(boot_arena + sizeof boot_arena - (char *)p);
      memcpy(q, p, n < avail ? n : avail);
    }
    return q;
  }
  ADD(c_allocs, 1);
  ADD(c_reallocs, 1);
  ADD(c_bytes, n);
  return real_realloc(p, n);
}

void free(void *p)
{
  if (!p || is_boot(p)) return;
  if (!real_free) init();
  ADD(c_frees, 1);
  real_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
  if (!real_posix_memalign) {
    if (in_init) {
      void *p = boot_alloc(n + align);
      if (!p) return ENOMEM;
      *out = (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
      return 0;
    }
    init();
  }
  ADD(c_allocs, 1);
  ADD(c_bytes, n);
  return real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
  if (!real_aligned_alloc) init();
  ADD(c_allocs, 1);
  ADD(c_bytes, n);
  return real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
  if (!real_memalign) init();
  ADD(c_allocs, 1);
  ADD(c_bytes, n);
  return real_memalign(align, n);
}

void malloc_count_get(struct malloc_counts *out)
{
  out->allocs = __atomic_load_n(&c_allocs, __ATOMIC_RELAXED);
  out->frees = __atomic_load_n(&c_frees, __ATOMIC_RELAXED);
  out->reallocs = __atomic_load_n(&c_reallocs, __ATOMIC_RELAXED);
  out->bytes = __atomic_load_n(&c_bytes, __ATOMIC_RELAXED);
}
