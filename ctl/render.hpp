// kokolactl's human output (docs/kokolactl.md) and its exit codes: turns the result data of
// each control command (docs/control-protocol.md) into text for people, and decides the exit
// code from the same data, so that --json and the human form exit alike. The daemon's data
// is read leniently: a missing or mistyped field prints as empty, never crashes. Pure
// functions over their arguments; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace kokola::ctl {

// Writes the human form of `cmd`'s result data.
void render_result(std::string_view cmd, const nlohmann::json& data, std::ostream& out);

// The exit code a successful answer to `cmd` gives (include/kokola/exit_codes.hpp).
int exit_code_for_result(std::string_view cmd, const nlohmann::json& data);

// One line describing a progress event, without a newline; empty when there is nothing to say.
std::string render_progress(std::string_view cmd, const nlohmann::json& data);

// Pieces shared by the renderers (render.cpp, render_status.cpp, render_jobs.cpp).
namespace render {
using Row = std::vector<std::string>;
// A member of an object, or null when `j` is not an object or lacks it.
const nlohmann::json& field(const nlohmann::json& j, const char* name);
bool flag(const nlohmann::json& j, const char* name);  // true only for a boolean true
std::string text(const nlohmann::json& j, const char* name);
std::string scalar(const nlohmann::json& j);       // a string unquoted, a number, else ""
std::string counts(const nlohmann::json& counts);  // "delivered 3, unchanged 47"
std::string duration(long long seconds);           // "4m 10s"
void problems(const nlohmann::json& list, int indent, std::ostream& out);
// Columns padded to their widest cell, two spaces apart; the last column is not padded.
void table(const std::vector<Row>& rows, std::ostream& out, int indent = 0);
// One line of at most `max_bytes` bytes (control characters become spaces); a longer text is
// cut at a character boundary and ends with "...".
std::string trimmed(std::string_view text, std::size_t max_bytes);
void status(const nlohmann::json& data, std::ostream& out);
void show(const nlohmann::json& data, std::ostream& out);
void jobs(const nlohmann::json& data, std::ostream& out);
void job(const nlohmann::json& data, std::ostream& out);
void paused(const nlohmann::json& data, std::ostream& out);    // pause, resume
void reloaded(const nlohmann::json& data, std::ostream& out);  // reload
}  // namespace render

}  // namespace kokola::ctl
