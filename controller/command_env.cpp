#include <unistd.h>

#include <cstdlib>

#include "controller/command_options.h"

namespace controller {

CommandEnv current_command_env() {
  CommandEnv env;
  env.stdout_is_terminal = ::isatty(STDOUT_FILENO) == 1;
  if (const char* kubeconfig = std::getenv("KUBECONFIG")) env.kubeconfig_env = kubeconfig;
  return env;
}

}  // namespace controller
