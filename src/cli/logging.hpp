// The log on standard error: `bylaw: LEVEL: message` lines, or (--log-format json) one JSON
// object per line for a log pipeline.
#pragma once

#include <string>

namespace bylaw::cli {

// "text" or "json".
void set_log_format(const std::string& format);

// Text for standard error (a summary, diagnostics): as it is, or with --log-format json, as one
// log line per line (a summary's "bylaw run: " dropped), so that every line of the log is JSON.
void log_text(const std::string& text);

}  // namespace bylaw::cli
