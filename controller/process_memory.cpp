// process_memory.h on glibc.
#include "controller/process_memory.h"

#include <malloc.h>

namespace controller {

void limit_malloc_arenas(int arenas) {
  (void)mallopt(M_ARENA_MAX, arenas);
  // A fixed threshold: glibc's own grows up to 32 MiB once a large block is
  // freed, after which list bodies of megabytes came from the arenas and
  // left them fragmented; mapped blocks go back whole when freed.
  (void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

void release_free_heap() {
  (void)malloc_trim(0);
}

HeapStats heap_stats() {
  const struct mallinfo2 m = mallinfo2();
  return {m.uordblks + m.hblkhd, m.fordblks, m.arena};
}

}  // namespace controller
