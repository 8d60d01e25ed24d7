// Signed chain heads: Ed25519 keys in PEM files (as `openssl genpkey -algorithm ed25519` writes
// them, or `bylaw audit keygen`), signing and checking the statement "the audit chain had this
// hash at this sequence number". OpenSSL (already bylaw's SHA-256) does the cryptography.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace bylaw::io {

// What a head's signature covers: a fixed prefix, so a signature made for something else can
// never pass for a head.
std::string head_statement(std::int64_t seq, const std::string& hash);

class SigningKey {
 public:
  // Reads a PEM private key; nullptr with `error` naming the file and the reason.
  static std::unique_ptr<SigningKey> load(const std::string& path, std::string& error);
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  std::string sign(const std::string& message) const;  // hex, 64 bytes
  const std::string& public_key_hex() const { return public_hex_; }

 private:
  struct Key;
  explicit SigningKey(std::unique_ptr<Key> key, std::string public_hex);
  std::unique_ptr<Key> key_;
  std::string public_hex_;
};

class PublicKey {
 public:
  static std::unique_ptr<PublicKey> load(const std::string& path, std::string& error);
  ~PublicKey();
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  bool verify(const std::string& message, const std::string& signature_hex) const;
  const std::string& hex() const { return hex_; }

 private:
  struct Key;
  explicit PublicKey(std::unique_ptr<Key> key, std::string hex);
  std::unique_ptr<Key> key_;
  std::string hex_;
};

// Makes a new key pair: the private key (mode 0600) and its public key, both PEM. False with
// `error` when a file cannot be written or already exists (a key is never overwritten).
bool write_key_pair(const std::string& private_path, const std::string& public_path,
                    std::string& error);

}  // namespace bylaw::io
