#pragma once
// The operator's heap, held small (README, figures): glibc gives each thread
// that allocates an arena of its own (up to 8 per core), and the informers
// decode their lists — the transient peak, megabytes of JSON — each on its
// own thread, so each arena kept the free pages of its thread's peak. The
// operator caps the arenas at start-up and hands freed pages back after the
// initial lists and after each sampling pass (the metrics lists). Both do
// nothing harmful under another allocator (sanitizers): they are hints.
#include <cstddef>

namespace controller {

struct HeapStats {
  std::size_t in_use = 0;  // allocated and not freed (mallinfo2 uordblks + hblkhd)
  std::size_t free = 0;    // freed but held by the allocator (fordblks)
  std::size_t arenas = 0;  // bytes obtained from the system for arenas (arena)
};

// Call first, before any thread starts: later threads share `arenas` arenas,
// and blocks of 128 KiB or more are mapped apart (returned whole when freed).
void limit_malloc_arenas(int arenas);
// Returns the free pages of every arena to the system (malloc_trim).
void release_free_heap();
[[nodiscard]] HeapStats heap_stats();

}  // namespace controller
