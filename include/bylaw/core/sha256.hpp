// SHA-256 (FIPS 180-4), for policy content hashes, decision ids and the tamper-evident audit
// chain. OpenSSL's implementation (EVP) underneath: the bytes are the contract, not the code.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace bylaw {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  // The digest of everything given so far; the hash starts over afterwards.
  std::array<std::uint8_t, 32> finish();
  // Lower-case hexadecimal digest of `data`.
  static std::string hex(std::string_view data);

 private:
  evp_md_ctx_st* context_;
};

std::string to_hex(const std::array<std::uint8_t, 32>& digest);

}  // namespace bylaw
