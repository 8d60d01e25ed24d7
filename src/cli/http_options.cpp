#include "http_options.hpp"

#include <fmt/format.h>

#include "bylaw/io/disk_files.hpp"
#include "bylaw/io/durable_run.hpp"
#include "options.hpp"

namespace bylaw::cli {

void parse_listen_address(const std::string& text, service::HttpOptions& http) {
  std::size_t colon = text.rfind(':');
  std::string port = colon == std::string::npos ? text : text.substr(colon + 1);
  std::optional<std::uint64_t> n = parse_count(port);
  if (!n || *n > 65535) {
    throw io::RunRefused(
        fmt::format("--http {}: expected HOST:PORT, such as 127.0.0.1:8080", text));
  }
  http.port = static_cast<int>(*n);
  if (colon != std::string::npos && colon > 0) http.host = text.substr(0, colon);
}

std::string read_token(const std::string& path) {
  std::string error;
  std::optional<std::string> text = io::read_text_file(path, error);
  if (!text)
    throw io::RunRefused(fmt::format("cannot read --api-token-file '{}': {}", path, error));
  std::string token = text->substr(0, text->find('\n'));
  token.erase(0, token.find_first_not_of(" \t\r"));
  token.erase(token.find_last_not_of(" \t\r") + 1);
  if (token.empty()) throw io::RunRefused(fmt::format("--api-token-file '{}' is empty", path));
  return token;
}

}  // namespace bylaw::cli
