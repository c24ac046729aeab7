#pragma once
// An optional whose value lives on the heap: absent, it costs one pointer.
// The status models hold many large optional parts that are absent most of
// the time (a container's step, last-good and original sizes; a workload's
// canary and last rollback), and the operator caches one status per
// workload: inline, those absent parts were two thirds of each cached
// Rightsizing. Reads and writes as std::optional does (has_value, *, ->,
// value_or, emplace, reset, = value, = std::nullopt, ==); copies are deep.
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace policies {

template <class T>
class HeapOptional {
 public:
  using value_type = T;

  HeapOptional() noexcept = default;
  HeapOptional(std::nullopt_t) noexcept {}                  // NOLINT: as std::optional, implicit
  HeapOptional(const T& v) : p_(std::make_unique<T>(v)) {}  // NOLINT
  HeapOptional(T&& v) : p_(std::make_unique<T>(std::move(v))) {}                          // NOLINT
  HeapOptional(const std::optional<T>& v) : p_(v ? std::make_unique<T>(*v) : nullptr) {}  // NOLINT
  HeapOptional(std::optional<T>&& v)                                                      // NOLINT
      : p_(v ? std::make_unique<T>(std::move(*v)) : nullptr) {}
  HeapOptional(const HeapOptional& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  HeapOptional(HeapOptional&&) noexcept = default;
  ~HeapOptional() = default;

  HeapOptional& operator=(const HeapOptional& o) {
    if (this == &o) return *this;
    if (!o.p_) {
      p_.reset();
    } else if (p_) {
      *p_ = *o.p_;
    } else {
      p_ = std::make_unique<T>(*o.p_);
    }
    return *this;
  }
  HeapOptional& operator=(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(std::nullopt_t) noexcept {
    p_.reset();
    return *this;
  }
  template <class U = T>
  requires(!std::is_same_v<std::remove_cvref_t<U>, HeapOptional> &&
           !std::is_same_v<std::remove_cvref_t<U>, std::nullopt_t> &&
           std::is_constructible_v<T, U&&> && std::is_assignable_v<T&, U&&>) HeapOptional&
  operator=(U&& v) {
    if (p_) {
      *p_ = std::forward<U>(v);
    } else {
      p_ = std::make_unique<T>(std::forward<U>(v));
    }
    return *this;
  }

  [[nodiscard]] bool has_value() const noexcept { return p_ != nullptr; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  // As std::optional: undefined when empty (callers test first).
  T& operator*() noexcept { return *p_; }
  const T& operator*() const noexcept { return *p_; }
  T* operator->() noexcept { return p_.get(); }
  const T* operator->() const noexcept { return p_.get(); }
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const {
    return p_ ? *p_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class... Args>
  T& emplace(Args&&... args) {
    p_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *p_;
  }
  void reset() noexcept { p_.reset(); }
  // A copy as a std::optional (for code that takes one).
  [[nodiscard]] std::optional<T> to_optional() const {
    return p_ ? std::optional<T>(*p_) : std::nullopt;
  }

  friend bool operator==(const HeapOptional& a, const HeapOptional& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a.has_value() || *a == *b;
  }
  friend bool operator==(const HeapOptional& a, std::nullopt_t) noexcept { return !a; }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace policies
