#include "bylaw/io/disk_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bylaw::io {

std::optional<std::string> DiskFiles::read(const std::string& path, std::string& error) const {
  return read_text_file(path, error);
}

std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    error = "it is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string DiskFiles::identity(const std::string& path) const {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return path;
  auto real = std::filesystem::canonical(path, ec);
  return ec ? path : real.generic_string();
}

check::LoadResult load_policy_file(const std::string& pack_path) {
  return check::load_policy(pack_path, DiskFiles{});
}

}  // namespace bylaw::io
