#include "progress.hpp"

#include "render.hpp"

namespace kokola::ctl {

ProgressView::Mode ProgressView::mode_for(const std::string& cmd, bool wait, bool terminal) {
  if (cmd == "sync") {
    if (terminal) return Mode::updating;
    return wait ? Mode::throttled : Mode::silent;
  }
  return terminal ? Mode::lines : Mode::silent;
}

ProgressView::ProgressView(std::string cmd, Mode mode, std::ostream& out, std::size_t width)
    : cmd_(std::move(cmd)), mode_(mode), out_(out), width_(width) {}

// A sync reports each entity's run on its own; the line shows the latest of every one.
std::string ProgressView::current_line(const nlohmann::json& data) {
  std::string line = render_progress(cmd_, data);
  if (cmd_ != "sync") return line;

  std::string entity = render::text(data, "entity");
  auto it = per_entity_.begin();
  while (it != per_entity_.end() && it->first != entity) ++it;
  if (it == per_entity_.end()) {
    per_entity_.emplace_back(entity, line);
  } else {
    it->second = line;
  }
  std::string all;
  for (const auto& [name, text] : per_entity_) all += (all.empty() ? "" : "; ") + text;
  return all;
}

void ProgressView::update(const nlohmann::json& data, Clock::time_point now) {
  if (mode_ == Mode::silent) return;
  std::string line = current_line(data);
  if (line.empty()) return;

  switch (mode_) {
    case Mode::lines:
      out_ << line << std::endl;
      break;
    case Mode::updating:
      if (width_ > 1) line = render::trimmed(line, width_ - 1);
      out_ << '\r' << line << "\x1b[K" << std::flush;
      drawn_ = true;
      break;
    case Mode::throttled:
      if (printed_ && now - last_printed_ < kThrottle) break;
      out_ << line << std::endl;
      printed_ = true;
      last_printed_ = now;
      break;
    case Mode::silent:
      break;
  }
}

void ProgressView::finish() {
  if (!drawn_) return;
  out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace kokola::ctl
