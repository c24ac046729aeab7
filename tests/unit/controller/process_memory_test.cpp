// process_memory.h against glibc's allocator. Under a sanitizer the
// allocator is the sanitizer's and these hints do nothing: only that they
// are harmless is checked there.
#include "controller/process_memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

namespace controller {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// 32 MiB in 1 KiB blocks (arena memory, under the mmap threshold), every
// byte touched.
std::vector<std::string> fill_heap() {
  std::vector<std::string> blocks;
  blocks.reserve(32 * 1024);
  for (int i = 0; i < 32 * 1024; ++i) blocks.emplace_back(1000, 'x');
  return blocks;
}

#if defined(__SANITIZE_ADDRESS__)

TEST(ProcessMemory, TheHintsAreHarmlessUnderASanitizersAllocator) {
  auto blocks = fill_heap();
  blocks.resize(1);
  release_free_heap();
  (void)heap_stats();
  EXPECT_EQ(blocks.front().size(), 1000u);
}

#else

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(ProcessMemory, ReleasingTheFreeHeapGivesItsPagesBackToTheSystem) {
  auto blocks = fill_heap();
  const auto in_use = heap_stats().in_use;
  EXPECT_GE(in_use, 32 * kMiB);
  // All freed but the last block, which keeps the arena's top in place: the
  // free pages stay resident until they are released (what each informer's
  // arena held after its largest list).
  std::string last = std::move(blocks.back());
  blocks.clear();
  blocks.shrink_to_fit();
  const auto held = heap_stats();
  EXPECT_GE(held.free, 30 * kMiB);
  EXPECT_LE(held.in_use + 30 * kMiB, in_use);
  const auto before = rss_bytes();
  release_free_heap();
  const auto after = rss_bytes();
  EXPECT_GE(before, after + 24 * kMiB) << "RSS " << before << " → " << after;
  EXPECT_EQ(last.size(), 1000u);
}

#endif

}  // namespace
}  // namespace controller
