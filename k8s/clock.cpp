#include "k8s/clock.h"

#include <condition_variable>
#include <mutex>
#include <random>

namespace k8s {

bool SystemClock::sleep_for(std::chrono::nanoseconds d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  (void)cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

struct SystemRandom::State {
  std::mutex mu;
  std::mt19937_64 engine{std::random_device{}()};
  std::uniform_real_distribution<double> dist{0.0, 1.0};
};

SystemRandom::SystemRandom() : state_(std::make_unique<State>()) {}
SystemRandom::~SystemRandom() = default;

double SystemRandom::uniform() {
  std::lock_guard lock(state_->mu);
  return state_->dist(state_->engine);
}

}  // namespace k8s
