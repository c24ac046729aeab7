#include "policies/usage_checkpoint.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>

#include "policies/base64.h"

namespace policies {
namespace {

constexpr double kQuantum = 16383;  // two varint bytes
constexpr std::uint64_t kMaxBuckets = 4096;
// Times and spans are bounded (±34,000 years) so that time arithmetic never overflows.
constexpr std::uint64_t kMaxSeconds = std::uint64_t{1} << 40;

// CRC-32 (IEEE 802.3, reflected, as zlib): detects every error of up to
// 32 consecutive bits, so a flipped bit never decodes into other figures.
std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xffffffffU;
  for (char c : bytes) {
    crc ^= static_cast<std::uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

constexpr std::size_t kChecksumBytes = 4;

class Writer {
 public:
  void u(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void s(std::int64_t v) {
    u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void f(float v) {
    const auto bits = std::bit_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) out_ += static_cast<char>((bits >> (8 * i)) & 0xff);
  }
  void checksum() {
    const std::uint32_t crc = crc32(out_);
    for (std::size_t i = 0; i < kChecksumBytes; ++i)
      out_ += static_cast<char>((crc >> (8 * i)) & 0xff);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::optional<std::uint64_t> u() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return std::nullopt;
      const auto b = static_cast<std::uint8_t>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return std::nullopt;
  }
  std::optional<std::int64_t> s() {
    auto v = u();
    if (!v) return std::nullopt;
    return static_cast<std::int64_t>(*v >> 1) ^ -static_cast<std::int64_t>(*v & 1);
  }
  std::optional<float> f() {
    if (in_.size() - pos_ < 4) return std::nullopt;
    std::uint32_t bits = 0;
    for (int i = 0; i < 4; ++i)
      bits |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(in_[pos_++])) << (8 * i);
    return std::bit_cast<float>(bits);
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

// A scheme as bucket count, first bucket size and growth in millionths.
void write_scheme(Writer& w, const BucketScheme& scheme) {
  w.u(static_cast<std::uint64_t>(scheme.size()));
  w.u(static_cast<std::uint64_t>(std::llround(scheme.first_bucket_size())));
  w.u(static_cast<std::uint64_t>(std::llround(scheme.growth() * 1e6)));
}

bool same_scheme(Reader& r, const BucketScheme& scheme) {
  const auto size = r.u(), first = r.u(), growth = r.u();
  return size && first && growth && *size == static_cast<std::uint64_t>(scheme.size()) &&
         *first == static_cast<std::uint64_t>(std::llround(scheme.first_bucket_size())) &&
         *growth == static_cast<std::uint64_t>(std::llround(scheme.growth() * 1e6));
}

void write_histogram(Writer& w, const UsageHistogram& h, Time base) {
  w.u(static_cast<std::uint64_t>(h.half_life().count()));
  w.s((h.reference() - base).count());
  float max = 0;
  for (float x : h.weights()) max = std::max(max, x);
  w.f(max);
  w.u(static_cast<std::uint64_t>(h.first_bucket()));
  w.u(h.weights().size());
  for (float x : h.weights())
    w.u(max > 0 ? static_cast<std::uint64_t>(std::lround(x / max * kQuantum)) : 0);
}

std::optional<UsageHistogram> read_histogram(Reader& r, const BucketScheme& scheme, Time base) {
  const auto half_life = r.u();
  const auto reference = r.s();
  const auto max = r.f();
  const auto first = r.u();
  const auto count = r.u();
  if (!half_life || !reference || !max || !first || !count || *half_life == 0 ||
      *count > kMaxBuckets || !std::isfinite(*max) || *max < 0 || *half_life > kMaxSeconds ||
      *reference > static_cast<std::int64_t>(kMaxSeconds) ||
      *reference < -static_cast<std::int64_t>(kMaxSeconds) ||
      *first >= static_cast<std::uint64_t>(scheme.size()) ||
      *count > static_cast<std::uint64_t>(scheme.size()) - *first)  // no unsigned wrap
    return std::nullopt;  // buckets past the scheme: rejected, never truncated
  std::vector<float> weights;
  weights.reserve(*count);
  for (std::uint64_t i = 0; i < *count; ++i) {
    const auto q = r.u();
    if (!q || *q > static_cast<std::uint64_t>(kQuantum)) return std::nullopt;
    weights.push_back(static_cast<float>(static_cast<double>(*q) / kQuantum * *max));
  }
  UsageHistogram h(scheme, std::chrono::seconds(static_cast<std::int64_t>(*half_life)));
  h.restore(base + std::chrono::seconds(*reference), static_cast<int>(*first), std::move(weights));
  return h;
}

}  // namespace

struct UsageCheckpointAccess {
  static std::string encode(const ContainerUsage& u) {
    Writer w;
    const bool oom = u.interval_oom_peak_ > 0;
    w.u(oom ? kCheckpointVersionWithOom : kCheckpointVersion);
    write_scheme(w, cpu_buckets());
    write_scheme(w, memory_buckets());
    w.s(u.first_sample_.time_since_epoch().count());
    w.u(static_cast<std::uint64_t>((u.last_sample_ - u.first_sample_).count()));
    w.u(static_cast<std::uint64_t>(u.samples_));
    w.u(static_cast<std::uint64_t>(u.cpu_peak_));
    w.u(static_cast<std::uint64_t>(u.memory_peak_));
    w.s((u.interval_start_ - u.first_sample_).count());
    w.u(static_cast<std::uint64_t>(u.interval_peak_));
    if (oom) w.u(static_cast<std::uint64_t>(u.interval_oom_peak_));
    write_histogram(w, u.cpu_, u.first_sample_);
    write_histogram(w, u.memory_, u.first_sample_);
    w.checksum();
    return w.take();
  }

  static Result<ContainerUsage> decode(std::string_view bytes) {
    if (bytes.empty()) return make_error("unsupported checkpoint version");
    const auto version = static_cast<std::uint8_t>(bytes[0]);
    if (version != kCheckpointVersion && version != kCheckpointVersionWithOom)
      return make_error("unsupported checkpoint version");
    if (bytes.size() < 1 + kChecksumBytes) return make_error("truncated checkpoint");
    std::uint32_t stored = 0;
    for (std::size_t i = 0; i < kChecksumBytes; ++i)
      stored |= static_cast<std::uint32_t>(
                    static_cast<std::uint8_t>(bytes[bytes.size() - kChecksumBytes + i]))
                << (8 * i);
    bytes.remove_suffix(kChecksumBytes);
    if (crc32(bytes) != stored) return make_error("corrupt checkpoint (checksum mismatch)");
    Reader r(bytes);
    (void)r.u();  // the version, checked above
    if (!same_scheme(r, cpu_buckets()) || !same_scheme(r, memory_buckets()))
      return make_error("checkpoint written with other histogram buckets");
    const auto first = r.s();
    const auto span = r.u(), samples = r.u(), cpu_peak = r.u(), mem_peak = r.u();
    const auto interval_start = r.s();
    const auto interval_peak = r.u();
    const auto interval_oom =
        version == kCheckpointVersionWithOom ? r.u() : std::optional<std::uint64_t>(0);
    constexpr std::uint64_t kLimit = std::uint64_t{1} << 62;
    if (!first || !span || !samples || !cpu_peak || !mem_peak || !interval_start ||
        !interval_peak || !interval_oom || *interval_oom > kLimit || *span > kLimit ||
        *samples > kLimit || *cpu_peak > kLimit || *mem_peak > kLimit || *interval_peak > kLimit ||
        *first > (std::int64_t{1} << 40) || *first < -(std::int64_t{1} << 40) ||
        *interval_start > (std::int64_t{1} << 40) || *interval_start < -(std::int64_t{1} << 40) ||
        *span > (std::uint64_t{1} << 40))
      return make_error("truncated or corrupt checkpoint");
    const Time base{std::chrono::seconds(*first)};
    auto cpu = read_histogram(r, cpu_buckets(), base);
    auto mem = read_histogram(r, memory_buckets(), base);
    if (!cpu || !mem || !r.done()) return make_error("truncated or corrupt checkpoint");
    ContainerUsage u(cpu->half_life());
    u.cpu_ = std::move(*cpu);
    u.memory_ = std::move(*mem);
    u.first_sample_ = base;
    u.last_sample_ = base + std::chrono::seconds(static_cast<std::int64_t>(*span));
    u.samples_ = static_cast<std::int64_t>(*samples);
    u.cpu_peak_ = static_cast<std::int64_t>(*cpu_peak);
    u.memory_peak_ = static_cast<std::int64_t>(*mem_peak);
    u.interval_start_ = base + std::chrono::seconds(*interval_start);
    u.interval_peak_ = static_cast<std::int64_t>(*interval_peak);
    u.interval_oom_peak_ = static_cast<std::int64_t>(*interval_oom);
    u.interval_open_ = u.samples_ > 0 || u.interval_oom_peak_ > 0;
    return u;
  }
};

std::string encode_checkpoint(const ContainerUsage& usage) {
  return UsageCheckpointAccess::encode(usage);
}

Result<ContainerUsage> decode_checkpoint(std::string_view bytes,
                                         std::optional<std::chrono::seconds> half_life) {
  auto usage = UsageCheckpointAccess::decode(bytes);
  if (usage && half_life) usage.value().set_half_life(*half_life);
  return usage;
}

std::string encode_checkpoint_text(const ContainerUsage& usage) {
  return base64_encode(encode_checkpoint(usage));
}

Result<ContainerUsage> decode_checkpoint_text(std::string_view text,
                                              std::optional<std::chrono::seconds> half_life) {
  auto bytes = base64_decode(text);
  if (!bytes) return make_error(bytes.error());
  return decode_checkpoint(*bytes, half_life);
}

std::uint32_t checkpoint_crc32(std::string_view bytes) {
  return crc32(bytes);
}

}  // namespace policies
