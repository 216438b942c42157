/* Shared interface between malloc_count.so (LD_PRELOAD shim) and the bench. */
#ifndef MALLOC_COUNT_H
#define MALLOC_COUNT_H

struct malloc_counts {
  unsigned long long allocs;   /* malloc + calloc + realloc + *memalign/aligned_alloc calls */
  unsigned long long frees;    /* free(non-NULL) calls */
  unsigned long long reallocs; /* realloc calls (also counted in allocs) */
  unsigned long long bytes;    /* bytes requested by all allocation calls */
};

/* Exported by malloc_count.so; the bench finds it with
   dlsym(RTLD_DEFAULT, MALLOC_COUNT_GET_NAME). */
typedef void (*malloc_count_get_fn)(struct malloc_counts *out);
#define MALLOC_COUNT_GET_NAME "malloc_count_get"
void malloc_count_get(struct malloc_counts *out);

#endif
