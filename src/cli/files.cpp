#include "files.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "bylaw/io/disk_files.hpp"
#include "logging.hpp"

namespace bylaw::cli {

std::optional<std::vector<std::string>> find_files(const std::vector<std::string>& paths,
                                                   const std::set<std::string>& extensions,
                                                   std::string& error) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path, ec)) {
        if (entry.is_regular_file() && extensions.count(entry.path().extension().string())) {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(path, ec)) {
      files.push_back(path);
    } else {
      error = fmt::format("no file or folder '{}'", path);
      return std::nullopt;
    }
  }
  return files;
}

std::optional<check::Policy> load_pack(const std::string& path, std::FILE* diagnostics) {
  check::LoadResult loaded = io::load_policy_file(path);
  std::string text = loaded.render();
  if (!loaded.policy) text += fmt::format("{}: the policy does not load\n", path);
  if (diagnostics == stderr) {
    log_text(text);  // as the log is: JSON lines with --log-format json
  } else {
    std::fputs(text.c_str(), diagnostics);
  }
  if (!loaded.policy) return std::nullopt;
  return std::move(*loaded.policy);
}

}  // namespace bylaw::cli
