#include "config/config.hpp"

#include <cstdlib>
#include <filesystem>

#include "config/files.hpp"
#include "config/sections.hpp"
#include "config/yaml_reader.hpp"

namespace kokola {
namespace {

namespace fs = std::filesystem;

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

// Relative paths in the file are relative to the file's own directory, not to wherever the
// daemon happened to be started from.
void resolve(std::string& path, const fs::path& base) {
  if (path.empty() || base.empty() || fs::path(path).is_absolute()) return;
  path = (base / path).lexically_normal().string();
}

void resolve_paths(Config& config, const fs::path& base) {
  resolve(config.erp.sqlite_path, base);
  resolve(config.kokola.token_file, base);
  resolve(config.kokola.tls.ca_file, base);
  resolve(config.kokola.tls.ca_dir, base);
  resolve(config.state_path, base);
  resolve(config.control.socket_path, base);
}

YAML::Node parse_yaml(const std::string& text, const std::string& origin) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ProblemList problems(origin);
    problems.add(e.mark.line >= 0 ? e.mark.line + 1 : 1, "", "invalid YAML: " + e.msg);
    throw ConfigError(problems.items());
  }
}

}  // namespace

ConfigError::ConfigError(const std::vector<std::string>& problems)
    : std::runtime_error(join_lines(problems)), problems_(problems) {}

ConfigEnvironment ConfigEnvironment::of_process() {
  ConfigEnvironment env;
  if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) env.credentials_dir = dir;
  return env;
}

Config parse_config(const std::string& yaml_text, const std::string& origin,
                    const ConfigEnvironment& env) {
  const YAML::Node root = parse_yaml(yaml_text, origin);
  ProblemList problems(origin);
  Config config;
  config.source_path = origin;

  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    problems.add(1, "", "expected a map of sections (erp, kokola, ...) at the top level");
    throw ConfigError(problems.items());
  }

  MapReader reader(root, "", 1, problems);
  read_sections(reader, env, config);
  if (!problems.empty()) throw ConfigError(problems.items());

  resolve_paths(config, fs::path(origin).parent_path());
  return config;
}

Config load_config(const std::string& path, const ConfigEnvironment& env) {
  const std::string text = read_small_file(path, "config");
  return parse_config(text, fs::absolute(path).lexically_normal().string(), env);
}

}  // namespace kokola
