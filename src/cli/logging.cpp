#include "logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <string_view>

namespace bylaw::cli {

namespace {

// The message as a JSON string's contents: quotes, backslashes and control characters escaped.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        dest.push_back('\\');
        dest.push_back(c);
      } else if (u < 0x20) {
        for (char e : {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 0xF]}) dest.push_back(e);
      } else {
        dest.push_back(c);
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

}  // namespace

namespace {
bool g_json = false;
}  // namespace

void log_text(const std::string& text) {
  if (!g_json) {
    std::fputs(text.c_str(), stderr);
    return;
  }
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + begin, end - begin);
    if (line.rfind("bylaw run: ", 0) == 0) line.remove_prefix(11);
    if (!line.empty()) spdlog::info("{}", line);
    begin = end + 1;
  }
}

void set_log_format(const std::string& format) {
  g_json = format == "json";
  if (format != "json") {
    spdlog::set_pattern("bylaw: %l: %v");
    return;
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","message":"%*"})");
  spdlog::set_formatter(std::move(formatter));
}

}  // namespace bylaw::cli
