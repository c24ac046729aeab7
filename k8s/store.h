#pragma once
// The cache behind an informer: objects by "namespace/name", with indexes by
// namespace (a key range) and by owner uid. One writer (the informer), many
// readers; readers get shared pointers to immutable values and never block
// the writer for long. Thread-safe.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace k8s {

template <typename T>
class Store {
 public:
  using Ptr = std::shared_ptr<const T>;

  struct Entry {
    std::string key;  // "namespace/name" or "name"
    std::vector<std::string> owner_uids;
    Ptr value;
  };

  [[nodiscard]] Ptr get(std::string_view key) const {
    std::shared_lock lock(mu_);
    auto it = items_.find(key);
    return it == items_.end() ? nullptr : it->second.value;
  }
  [[nodiscard]] std::vector<Ptr> list() const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    out.reserve(items_.size());
    for (const auto& [k, e] : items_) out.push_back(e.value);
    return out;
  }
  [[nodiscard]] std::vector<Ptr> by_namespace(std::string_view ns) const {
    std::string prefix = std::string(ns) + "/";
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    for (auto it = items_.lower_bound(prefix); it != items_.end() && it->first.starts_with(prefix);
         ++it) {
      out.push_back(it->second.value);
    }
    return out;
  }
  [[nodiscard]] std::vector<Ptr> by_owner(std::string_view owner_uid) const {
    std::shared_lock lock(mu_);
    std::vector<Ptr> out;
    auto it = owners_.find(std::string(owner_uid));
    if (it == owners_.end()) return out;
    for (const auto& key : it->second) {
      if (auto item = items_.find(key); item != items_.end()) out.push_back(item->second.value);
    }
    return out;
  }
  [[nodiscard]] std::vector<std::string> keys() const {
    std::shared_lock lock(mu_);
    std::vector<std::string> out;
    for (const auto& [k, e] : items_) out.push_back(k);
    return out;
  }
  [[nodiscard]] size_t size() const {
    std::shared_lock lock(mu_);
    return items_.size();
  }

  // Writer side. Swaps in a whole new content; returns the previous one.
  std::map<std::string, Entry, std::less<>> replace_all(std::vector<Entry> entries) {
    std::map<std::string, Entry, std::less<>> fresh;
    std::unordered_map<std::string, std::vector<std::string>> owners;
    for (auto& e : entries) {
      for (const auto& uid : e.owner_uids) owners[uid].push_back(e.key);
      std::string key = e.key;
      fresh.insert_or_assign(std::move(key), std::move(e));
    }
    std::unique_lock lock(mu_);
    std::swap(items_, fresh);
    std::swap(owners_, owners);
    return fresh;
  }
  // Inserts or replaces; returns the previous value (null when new).
  Ptr upsert(Entry e) {
    std::unique_lock lock(mu_);
    Ptr old;
    if (auto it = items_.find(e.key); it != items_.end()) {
      old = it->second.value;
      unindex(it->second);
      it->second = std::move(e);
      index(it->second);
    } else {
      std::string key = e.key;
      auto [at, inserted] = items_.emplace(std::move(key), std::move(e));
      index(at->second);
    }
    return old;
  }
  // Removes; returns the removed value (null when absent).
  Ptr erase(std::string_view key) {
    std::unique_lock lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return nullptr;
    Ptr old = it->second.value;
    unindex(it->second);
    items_.erase(it);
    return old;
  }

 private:
  void index(const Entry& e) {
    for (const auto& uid : e.owner_uids) owners_[uid].push_back(e.key);
  }
  void unindex(const Entry& e) {
    for (const auto& uid : e.owner_uids) {
      auto it = owners_.find(uid);
      if (it == owners_.end()) continue;
      std::erase(it->second, e.key);
      if (it->second.empty()) owners_.erase(it);
    }
  }

  mutable std::shared_mutex mu_;
  std::map<std::string, Entry, std::less<>> items_;
  std::unordered_map<std::string, std::vector<std::string>> owners_;
};

}  // namespace k8s
