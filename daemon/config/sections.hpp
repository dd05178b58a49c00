// The schema of the configuration file, section by section (docs/configuration.md): which
// keys exist, their types, defaults and checks. Private to the config loader; start-up only.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace kokola {

// Reads every section of the document root into `config`, recording each problem. Relative
// paths are left as written; the caller resolves them. `env` supplies the systemd
// credentials directory that may stand in for kokola.token_file.
void read_sections(MapReader& root, const ConfigEnvironment& env, Config& config);

}  // namespace kokola
