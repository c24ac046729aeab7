#include "k8s/watcher.h"

#include <spdlog/spdlog.h>

#include "k8s/object_meta.h"

namespace k8s {
namespace {

using Step = Result<std::optional<WatcherEvent>>;

Step nothing() {
  return std::optional<WatcherEvent>();
}
Step event(WatcherEventKind kind, std::vector<nlohmann::json> objects = {}) {
  return std::optional<WatcherEvent>(WatcherEvent{kind, std::move(objects)});
}
// One object, moved (a braced list would copy it).
Step event(WatcherEventKind kind, nlohmann::json&& object) {
  std::vector<nlohmann::json> objects;
  objects.push_back(std::move(object));
  return event(kind, std::move(objects));
}

std::string list_string(const nlohmann::json& doc, const char* key) {
  auto meta = doc.find("metadata");
  if (meta == doc.end() || !meta->is_object()) return {};
  auto v = meta->find(key);
  return v != meta->end() && v->is_string() ? v->get<std::string>() : std::string{};
}

constexpr auto kVeryShortWatch = std::chrono::seconds(1);

}  // namespace

bool resource_version_unavailable(const Error& err) {
  if (err.kind == ErrorKind::Gone || err.http_status == 410) return true;
  // client-go's IsTooLargeResourceVersionError: the cause, or (from older
  // servers) the message.
  if (err.kind != ErrorKind::Timeout && err.http_status != 504) return false;
  for (const auto& c : err.causes) {
    if (c.reason == "ResourceVersionTooLarge") return true;
  }
  return err.message.find("Too large resource version") != std::string::npos;
}

Watcher::Watcher(ApiClient& client, WatcherConfig config)
    : client_(client),
      config_(std::move(config)),
      event_mask_(config_.mask.with(required_meta_paths()).for_watch_event()),
      list_mask_(config_.mask.with(required_meta_paths()).for_list()) {}

std::string_view Watcher::state_name() const {
  static constexpr std::string_view kNames[] = {"Empty", "InitListing", "InitListed", "Watching"};
  return kNames[state_.index()];
}

std::string Watcher::resource_version() const {
  if (auto* l = std::get_if<InitListed>(&state_)) return l->resource_version;
  if (auto* w = std::get_if<Watching>(&state_)) return w->resource_version;
  return {};
}

void Watcher::resume_from(std::string resource_version) {
  Watching w;
  w.resource_version = std::move(resource_version);
  state_ = std::move(w);
}

void Watcher::cancel() {
  std::lock_guard lock(stream_mu_);
  cancelled_ = true;
  if (active_stream_) active_stream_->cancel();
}

void Watcher::reset_cancel(std::stop_token stop) {
  std::lock_guard lock(stream_mu_);
  cancelled_ = false;
  stop_ = std::move(stop);
}

void Watcher::set_stream(Watching& w, std::shared_ptr<BodyStream> s) {
  std::lock_guard lock(stream_mu_);
  if (s && cancelled_) s->cancel();
  active_stream_ = s;
  w.stream = std::move(s);
  w.opened_at = client_.clock().now();
  w.events_read = 0;
  w.lines = LineSplitter();
  w.decoded.clear();
}

Step Watcher::step() {
  if (std::holds_alternative<Empty>(state_)) {
    state_ = InitListing{};
    return event(WatcherEventKind::InitStarted);
  }
  if (auto* l = std::get_if<InitListing>(&state_)) return list_page(l->continue_token);
  if (auto* l = std::get_if<InitListed>(&state_)) {
    Watching w;
    w.resource_version = l->resource_version;
    state_ = std::move(w);
    return event(WatcherEventKind::InitDone);
  }
  return watch_step(std::get<Watching>(state_));
}

Step Watcher::list_page(const std::string& continue_token) {
  ListOptions opts;
  opts.label_selector = config_.label_selector;
  opts.field_selector = config_.field_selector;
  opts.limit = config_.page_size;
  opts.continue_token = continue_token;
  auto resp = client_.list_page(config_.collection, opts, CallContext{stop_, std::nullopt});
  if (!resp) {
    // An expired continue token: the list must start over, and the cache
    // with it, paged again. client-go's pager falls back to one unpaged
    // list here (FullListIfExpired); a cache of every pod in the cluster in
    // one body is the memory spike pages exist to avoid, and a fresh paged
    // list expires only if the whole of it outlasts the server's compaction.
    if (resp.error().kind == ErrorKind::Gone) state_ = Empty{};
    return resp.error();
  }
  auto doc = list_mask_.decode(resp->body);
  if (!doc)
    return make_error(ErrorKind::Decode,
                      "list " + object_path(config_.collection) + ": " + doc.error().message);
  std::vector<nlohmann::json> items;
  if (auto it = doc->find("items"); it != doc->end() && it->is_array()) {
    items.reserve(it->size());
    for (auto& item : *it) items.push_back(std::move(item));
  }
  if (auto next = list_string(*doc, "continue"); !next.empty()) {
    state_ = InitListing{next};
  } else {
    state_ = InitListed{list_string(*doc, "resourceVersion")};
  }
  return event(WatcherEventKind::InitPage, std::move(items));
}

Step Watcher::watch_step(Watching& w) {
  if (!w.decoded.empty()) {
    WatchEvent ev = std::move(w.decoded.front());
    w.decoded.pop_front();
    return apply_event(w, std::move(ev));
  }
  if (!w.stream) return open_stream(w);
  return read_stream(w);
}

Step Watcher::open_stream(Watching& w) {
  WatchOptions opts;
  opts.label_selector = config_.label_selector;
  opts.field_selector = config_.field_selector;
  opts.resource_version = w.resource_version;
  opts.allow_watch_bookmarks = true;
  opts.timeout_seconds = config_.watch_timeout_seconds;
  if (!opts.timeout_seconds) {
    opts.timeout_seconds = 300 + static_cast<int>(300 * client_.random().uniform());
  }
  auto resp = client_.open_stream(watch_request(config_.collection, opts),
                                  CallContext{stop_, std::nullopt});
  if (!resp) {
    // Never retry a version the server cannot serve.
    if (resource_version_unavailable(resp.error())) state_ = Empty{};
    return resp.error();
  }
  set_stream(w, std::shared_ptr<BodyStream>(std::move(resp->body)));
  return nothing();
}

Step Watcher::read_stream(Watching& w) {
  auto piece = w.stream->read();
  if (!piece || !*piece) {
    // The server ended the watch (timeoutSeconds) or the connection broke:
    // resume from the last version seen.
    auto lasted = client_.clock().now() - w.opened_at;
    bool empty = w.events_read == 0;
    set_stream(w, nullptr);
    if (!piece) return piece.error();
    if (empty && lasted < kVeryShortWatch) {
      return make_error(ErrorKind::Transport, "very short watch of " +
                                                  object_path(config_.collection) +
                                                  ": closed within a second without an event");
    }
    return nothing();
  }
  std::optional<Error> bad_line;
  auto fed = w.lines.feed(**piece, [&](std::string_view line) {
    if (bad_line) return;
    auto ev = decode_watch_event(line, event_mask_);
    if (ev) {
      ++w.events_read;
      w.decoded.push_back(std::move(*ev));
    } else {
      bad_line = ev.error();
    }
  });
  if (!fed) bad_line = fed.error();
  if (bad_line) {
    // Events before the bad line are kept; the watch resumes after the last good one.
    auto keep = std::move(w.decoded);
    set_stream(w, nullptr);
    w.decoded = std::move(keep);
    return *bad_line;
  }
  return nothing();
}

Step Watcher::apply_event(Watching& w, WatchEvent ev) {
  if (ev.type == WatchEventType::Error) {
    Error err = error_from_status_json(ev.object);
    set_stream(w, nullptr);
    if (resource_version_unavailable(err)) state_ = Empty{};
    return err;
  }
  if (auto rv = meta_resource_version(ev.object); !rv.empty()) w.resource_version = std::move(rv);
  switch (ev.type) {
    case WatchEventType::Added:
    case WatchEventType::Modified:
      return event(WatcherEventKind::Apply, std::move(ev.object));
    case WatchEventType::Deleted:
      return event(WatcherEventKind::Delete, std::move(ev.object));
    default:
      return nothing();  // a bookmark only moves the resourceVersion
  }
}

void run_watcher(Watcher& watcher, Backoff& backoff, Clock& clock, std::stop_token stop,
                 const std::function<void(WatcherEvent&&)>& sink) {
  while (!stop.stop_requested()) {
    auto r = watcher.step();
    if (r) {
      if (*r) sink(std::move(**r));
      continue;
    }
    if (stop.stop_requested()) return;
    auto delay = backoff.next();
    spdlog::info("k8s: watch {} ({}): {}; retrying in {} ms", object_path(watcher.collection()),
                 watcher.state_name(), r.error().describe(), delay.count());
    clock.sleep_for(delay, stop);
  }
}

}  // namespace k8s
