#include "bylaw/core/sha256.hpp"

#include <array>
#include <stdexcept>

#include <openssl/evp.h>

namespace bylaw {

namespace {

// Fetched once: an implicit fetch on every hash would look the algorithm up each time.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (!md) throw std::runtime_error("OpenSSL has no SHA-256");
  return md;
}

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("OpenSSL SHA-256: ") + what + " failed");
}

void start(EVP_MD_CTX* context) {
  check(EVP_DigestInit_ex2(context, sha256_algorithm(), nullptr), "init");
}

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_) throw std::bad_alloc();
  start(context_);
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(context_);
}

void Sha256::update(std::string_view data) {
  check(EVP_DigestUpdate(context_, data.data(), data.size()), "update");
}

std::array<std::uint8_t, 32> Sha256::finish() {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(context_, digest.data(), &length), "final");
  start(context_);
  return digest;
}

std::string to_hex(const std::array<std::uint8_t, 32>& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto byte : digest) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return out;
}

std::string Sha256::hex(std::string_view data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  check(EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256_algorithm(), nullptr),
        "digest");
  return to_hex(digest);
}

}  // namespace bylaw
