#include "policies/money.h"

#include <cstdio>
#include <cstdlib>

namespace policies {

std::string format_dollars(Cents c) {
  const std::int64_t abs = c.value < 0 ? -c.value : c.value;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", c.value < 0 ? "-" : "",
                static_cast<long long>(abs / 100), static_cast<long long>(abs % 100));
  return buf;
}

}  // namespace policies
