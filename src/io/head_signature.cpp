#include "bylaw/io/head_signature.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace bylaw::io {

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct FileClose {
  void operator()(FILE* f) const { std::fclose(f); }
};

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "not a PEM key";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
  return out;
}

std::optional<std::vector<unsigned char>> unhex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    for (char c : text.substr(i, 2)) {
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<unsigned>(c - 'a' + 10);
      else
        return std::nullopt;
    }
    out.push_back(static_cast<unsigned char>(value));
  }
  return out;
}

std::string raw_public_hex(EVP_PKEY* key) {
  unsigned char raw[32];
  std::size_t size = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key, raw, &size) != 1) return {};
  return hex(raw, size);
}

// Reads one PEM key from `path` with `read` (private or public); null with `error` set.
template <typename Read>
Pkey read_pem(const std::string& path, Read read, std::string& error) {
  std::unique_ptr<FILE, FileClose> file(std::fopen(path.c_str(), "r"));
  if (!file) {
    error = fmt::format("cannot read '{}': {}", path, std::strerror(errno));
    return nullptr;
  }
  Pkey key(read(file.get()));
  if (!key) {
    error = fmt::format("'{}' is not a PEM key: {}", path, openssl_error());
    return nullptr;
  }
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
    error = fmt::format("'{}' is not an Ed25519 key", path);
    return nullptr;
  }
  return key;
}

bool write_pem(const std::string& path, mode_t mode, EVP_PKEY* key, bool private_part,
               std::string& error) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, mode);
  if (fd < 0) {
    error = fmt::format("cannot create '{}': {}", path, std::strerror(errno));
    return false;
  }
  std::unique_ptr<FILE, FileClose> file(::fdopen(fd, "w"));
  if (!file) {
    ::close(fd);
    error = fmt::format("cannot write '{}': {}", path, std::strerror(errno));
    return false;
  }
  int ok = private_part
               ? PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_PUBKEY(file.get(), key);
  if (ok != 1) {
    error = fmt::format("cannot write '{}': {}", path, openssl_error());
    return false;
  }
  return true;
}

}  // namespace

std::string head_statement(std::int64_t seq, const std::string& hash) {
  return fmt::format("bylaw audit head v1\n{}:{}", seq, hash);
}

struct SigningKey::Key {
  Pkey pkey;
};
struct PublicKey::Key {
  Pkey pkey;
};

SigningKey::SigningKey(std::unique_ptr<Key> key, std::string public_hex)
    : key_(std::move(key)), public_hex_(std::move(public_hex)) {}
SigningKey::~SigningKey() = default;

std::unique_ptr<SigningKey> SigningKey::load(const std::string& path, std::string& error) {
  Pkey pkey = read_pem(
      path, [](FILE* f) { return PEM_read_PrivateKey(f, nullptr, nullptr, nullptr); }, error);
  if (!pkey) return nullptr;
  std::string public_hex = raw_public_hex(pkey.get());
  return std::unique_ptr<SigningKey>(
      new SigningKey(std::make_unique<Key>(Key{std::move(pkey)}), std::move(public_hex)));
}

std::string SigningKey::sign(const std::string& message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char signature[64];
  std::size_t size = sizeof signature;
  bool ok =
      ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_->pkey.get()) == 1 &&
      EVP_DigestSign(ctx, signature, &size, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("cannot sign the audit head: " + openssl_error());
  return hex(signature, size);
}

PublicKey::PublicKey(std::unique_ptr<Key> key, std::string hex)
    : key_(std::move(key)), hex_(std::move(hex)) {}
PublicKey::~PublicKey() = default;

std::unique_ptr<PublicKey> PublicKey::load(const std::string& path, std::string& error) {
  Pkey pkey = read_pem(
      path, [](FILE* f) { return PEM_read_PUBKEY(f, nullptr, nullptr, nullptr); }, error);
  if (!pkey) return nullptr;
  std::string public_hex = raw_public_hex(pkey.get());
  return std::unique_ptr<PublicKey>(
      new PublicKey(std::make_unique<Key>(Key{std::move(pkey)}), std::move(public_hex)));
}

bool PublicKey::verify(const std::string& message, const std::string& signature_hex) const {
  auto signature = unhex(signature_hex);
  if (!signature) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key_->pkey.get()) == 1 &&
      EVP_DigestVerify(ctx, signature->data(), signature->size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

bool write_key_pair(const std::string& private_path, const std::string& public_path,
                    std::string& error) {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) {
    error = "cannot make a key: " + openssl_error();
    return false;
  }
  if (!write_pem(private_path, 0600, key.get(), true, error)) return false;
  if (!write_pem(public_path, 0644, key.get(), false, error)) {
    ::unlink(private_path.c_str());
    return false;
  }
  return true;
}

}  // namespace bylaw::io
