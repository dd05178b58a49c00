// Reading whole small files (the configuration, the API token) for the config loader. A file
// is opened once and checked through that descriptor (fstat), so what is checked is what is
// read. Private to the config loader; start-up only, any single thread.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace kokola {

// Why an opened file must not be read (e.g. "not a regular file"), or nothing when it may.
using FileCheck = std::function<std::optional<std::string>(const struct stat& st)>;

// The most read_small_file() reads: a configuration or a token is a few kilobytes, and a
// mistaken path (/dev/zero, a log file) must end in an error, not in all the memory there is.
constexpr std::size_t kMaxSmallFileBytes = 1 << 20;

// The whole content of the file at `path`. `what` names it in messages, which read
// "reading WHAT 'PATH': cause". A directory is always refused, and so is anything longer
// than kMaxSmallFileBytes. Throws std::runtime_error.
std::string read_small_file(const std::string& path, const std::string& what,
                            const FileCheck& check = {});

// errno as a lower-case phrase ("no such file", "permission denied").
std::string describe_errno(int error);

}  // namespace kokola
