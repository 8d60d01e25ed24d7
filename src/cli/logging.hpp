// The log on standard error: `bylaw: LEVEL: message` lines, or (--log-format json) one JSON
// object per line for a log pipeline.
#pragma once

#include <string>

namespace bylaw::cli {

// "text" or "json".
void set_log_format(const std::string& format);

}  // namespace bylaw::cli
