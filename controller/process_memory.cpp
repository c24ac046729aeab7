// process_memory.h on glibc.
#include "controller/process_memory.h"

#include <malloc.h>

namespace controller {

void limit_malloc_arenas(int arenas) {
  (void)mallopt(M_ARENA_MAX, arenas);
}

void release_free_heap() {
  (void)malloc_trim(0);
}

HeapStats heap_stats() {
  const struct mallinfo2 m = mallinfo2();
  return {m.uordblks + m.hblkhd, m.fordblks, m.arena};
}

}  // namespace controller
