#include <catch2/catch.hpp>

#include "bylaw/core/sha256.hpp"

using bylaw::Sha256;

TEST_CASE("SHA-256 matches the FIPS 180-4 test vectors", "[core][sha256]") {
  CHECK(Sha256::hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256::hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256::hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(Sha256::hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 is the same fed in pieces", "[core][sha256]") {
  std::string text(200, 'x');
  Sha256 pieces;
  for (std::size_t i = 0; i < text.size(); i += 7)
    pieces.update(std::string_view(text).substr(i, 7));
  CHECK(bylaw::to_hex(pieces.finish()) == Sha256::hex(text));
}
