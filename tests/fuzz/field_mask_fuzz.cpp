// Fuzzes the field-mask decoder (the decode path of every list and watch):
// no crash, no UB; a keep-everything mask accepts exactly what nlohmann's
// parser accepts (inputs without NUL bytes); a narrower mask never rejects
// valid JSON.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "k8s/field_mask.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const k8s::FieldMask all;
  static const k8s::FieldMask pod{"metadata.name", "metadata.ownerReferences[].uid",
                                  "spec.containers[].resources", "status.phase"};
  static const k8s::FieldMask event = pod.for_watch_event();
  static const k8s::FieldMask list = pod.for_list();
  if (text.find('\0') != std::string_view::npos) {
    // nlohmann's lexer ends the input at a NUL byte (it accepts "0\n\0junk");
    // the scanner does not. No comparison then, only no crash and no UB.
    for (const auto* mask : {&all, &pod, &event, &list}) (void)mask->decode(text);
    return 0;
  }
  const bool valid = nlohmann::json::accept(text);
  auto full = all.decode(text);
  if (bool(full) != valid) std::abort();
  for (const auto* mask : {&pod, &event, &list}) {
    auto masked = mask->decode(text);
    if (valid && !masked) std::abort();
  }
  return 0;
}
