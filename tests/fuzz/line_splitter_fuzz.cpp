// Fuzzes the watch stream framing: the input, cut into pieces at places the
// input chooses, yields exactly the non-empty lines of the whole; each line
// then goes through the watch-event decoder without crash or UB.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "k8s/watch_event.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte chooses the piece length (1..256 bytes).
  const std::size_t piece = std::size_t(data[0]) + 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> want;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    if (nl > start) want.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  static const k8s::FieldMask mask = k8s::FieldMask{"metadata.name", "spec"}.for_watch_event();
  k8s::LineSplitter lines;
  std::vector<std::string> got;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    auto fed = lines.feed(text.substr(at, piece), [&](std::string_view line) {
      got.emplace_back(line);
      (void)k8s::decode_watch_event(line, mask);
    });
    if (!fed) std::abort();  // no line here comes near the limit
  }
  if (got != want) std::abort();
  return 0;
}
