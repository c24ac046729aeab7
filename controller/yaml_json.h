#pragma once
// YAML documents to JSON values (generic; knows nothing about policies), so
// the domain code only ever sees JSON. Scalars resolve by the YAML 1.2 core
// schema: quoted scalars stay strings; plain ones become null, booleans
// (true/false), integers, floats (incl. .inf/.nan) or strings.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "policies/result.h"

namespace controller {

// Every document of a YAML stream, in order; empty documents are null.
// A syntax error (with line and column) is an error value, never an exception.
policies::Result<std::vector<nlohmann::json>> yaml_to_json(std::string_view text);

}  // namespace controller
