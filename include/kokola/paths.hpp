// Default file-system locations shared by kokola-syncd and kokolactl. Every path can be
// overridden (config file, --config, --socket, KOKOLA_SOCKET). Constants only; any thread.
#pragma once

#include <string_view>

namespace kokola {

inline constexpr std::string_view kDefaultConfigPath = "/etc/kokola-sync/kokola-sync.yaml";
inline constexpr std::string_view kDefaultStatePath = "/var/lib/kokola-sync/state.db";
inline constexpr std::string_view kDefaultSocketPath = "/run/kokola-sync/control.sock";
// kokolactl reads the socket path from this environment variable when --socket is absent.
inline constexpr std::string_view kSocketEnvVar = "KOKOLA_SOCKET";

}  // namespace kokola
