#pragma once
// A program run in the background for the length of a test: started with
// posix_spawn, its output to a log file, stopped with SIGTERM (SIGKILL after
// a bounded wait) when the object goes away.
#include <string>
#include <vector>

namespace slotest {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // SIGTERM, then waits up to 10 s (then SIGKILL); true if it exited by itself.
  bool stop();
  bool running() const;

 private:
  int pid_ = -1;
};

}  // namespace slotest
