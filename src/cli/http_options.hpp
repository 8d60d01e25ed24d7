// The HTTP side's options, shared by `bylaw serve` and `bylaw audit serve`.
#pragma once

#include <string>

#include "bylaw/service/http_api.hpp"

namespace bylaw::cli {

// --http HOST:PORT (a port of 0 takes any free one); the host defaults to the loopback address.
// io::RunRefused when it is not one.
void parse_listen_address(const std::string& text, service::HttpOptions& http);
// --api-token-file: the file's first line, blanks around it dropped; io::RunRefused when the
// file cannot be read or holds no token.
std::string read_token(const std::string& path);

}  // namespace bylaw::cli
