#include "policies/status_conditions.h"

#include <date/date.h>

#include <algorithm>
#include <charconv>

namespace policies {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  const char* first = s.data() + pos;
  const auto [end, ec] = std::from_chars(first, first + n, out);
  return ec == std::errc() && end == first + n &&
         std::all_of(first, first + n, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<Timestamp> parse_timestamp(std::string_view s) {
  const auto bad = [&] { return make_error("\"" + std::string(s) + "\" is not an RFC 3339 time"); };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return bad();
  std::size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return bad();
    offset_minutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad();
  }
  const date::year_month_day ymd{date::year{y}, date::month(static_cast<unsigned>(mo)),
                                 date::day(static_cast<unsigned>(d))};
  if (pos != s.size() || !ymd.ok() || h > 23 || mi > 59 || sec > 60) return bad();
  const auto days = std::chrono::sys_days{date::sys_days{ymd}.time_since_epoch()};
  return Timestamp{days + std::chrono::hours(h) + std::chrono::minutes(mi - offset_minutes) +
                   std::chrono::seconds(sec)};
}

std::string format_timestamp(Timestamp t) {
  return date::format("%FT%TZ", date::sys_seconds{t.time_since_epoch()});
}

bool set_condition(std::vector<Condition>& conditions, Condition c, Timestamp now) {
  const bool has_time = c.last_transition_time != Timestamp{};
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& e) { return e.type == c.type; });
  if (it == conditions.end()) {
    if (!has_time) c.last_transition_time = now;
    conditions.push_back(std::move(c));
    return true;
  }
  bool changed = false;
  if (it->status != c.status) {
    it->status = c.status;
    it->last_transition_time = has_time ? c.last_transition_time : now;
    changed = true;
  }
  if (it->reason != c.reason) {
    it->reason = std::move(c.reason);
    changed = true;
  }
  if (it->message != c.message) {
    it->message = std::move(c.message);
    changed = true;
  }
  if (it->observed_generation != c.observed_generation) {
    it->observed_generation = c.observed_generation;
    changed = true;
  }
  return changed;
}

const Condition* find_condition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const Condition& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

bool remove_condition(std::vector<Condition>& conditions, std::string_view type) {
  return std::erase_if(conditions, [&](const Condition& c) { return c.type == type; }) > 0;
}

}  // namespace policies
