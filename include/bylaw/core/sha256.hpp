// SHA-256 (FIPS 180-4), for policy content hashes and the tamper-evident audit chain.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace bylaw {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::array<std::uint8_t, 32> finish();
  // Lower-case hexadecimal digest of `data`.
  static std::string hex(std::string_view data);

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string to_hex(const std::array<std::uint8_t, 32>& digest);

}  // namespace bylaw
