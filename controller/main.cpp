// The composition root of the `rightsizer` binary.
#include <string_view>
#include <vector>

#include "controller/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return controller::run_cli(args);
}
