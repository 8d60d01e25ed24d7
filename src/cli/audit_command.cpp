// bylaw audit verify --store FILE [--head SEQ:HASH] [--public-key FILE]
// bylaw audit head --store FILE
// bylaw audit keygen --private-key FILE --public-key FILE
// (bylaw audit query and bylaw audit serve are in their own files.)
#include <cstdio>

#include <fmt/format.h>

#include "bylaw/io/audit_store.hpp"
#include "commands.hpp"

namespace bylaw::cli {

namespace {

struct AuditOptions {
  std::string store;
  std::string head;
  std::string public_key;
  std::string private_key;
};

int fail(const std::string& message) {
  fmt::print(stderr, "bylaw audit: {}\n", message);
  return kExitFailure;
}

std::unique_ptr<io::AuditStore> open_store(const std::string& path) {
  std::string error;
  auto store = io::AuditStore::open(path, false, error);
  if (!store) fail(fmt::format("cannot open store '{}': {}", path, error));
  return store;
}

int run_verify(const AuditOptions& options) {
  io::VerifyOptions verify;
  if (!options.head.empty()) {
    verify.head = io::AuditHead::parse(options.head);
    if (!verify.head) {
      return fail(fmt::format("--head '{}': expected SEQ:HASH as `bylaw audit head` prints it",
                              options.head));
    }
  }
  std::unique_ptr<io::PublicKey> key;
  if (!options.public_key.empty()) {
    std::string error;
    key = io::PublicKey::load(options.public_key, error);
    if (!key) return fail("--public-key: " + error);
    verify.key = key.get();
  }
  auto store = open_store(options.store);
  if (!store) return kExitFailure;
  io::VerifyReport report = store->verify(verify);
  if (!report.intact) return fail(fmt::format("{}: {}", options.store, report.problem));
  fmt::print("{}: {} records, chain intact; head {}\n", options.store, report.records,
             report.head.text());
  if (verify.head) fmt::print("the anchored head {} is in the chain\n", verify.head->text());
  if (key) {
    fmt::print("{} signed heads, every one signed by the key; the newest at record {}\n",
               report.signed_heads, report.last_signed);
  } else if (report.signed_heads > 0) {
    fmt::print("{} signed heads match the chain; their signatures were not checked "
               "(--public-key FILE checks them)\n",
               report.signed_heads);
  }
  return kExitOk;
}

int run_head(const AuditOptions& options) {
  auto store = open_store(options.store);
  if (!store) return kExitFailure;
  fmt::print("{}\n", store->head().text());
  return kExitOk;
}

int run_keygen(const AuditOptions& options) {
  std::string error;
  if (!io::write_key_pair(options.private_key, options.public_key, error)) return fail(error);
  fmt::print("wrote {} (private: give it to run/serve --signing-key) and {} (public: give it to "
             "audit verify --public-key)\n",
             options.private_key, options.public_key);
  return kExitOk;
}

CLI::Option* add_store(CLI::App* command, std::string& store) {
  return command->add_option("--store", store, "The audit store (SQLite)")
      ->required()
      ->type_name("FILE");
}

}  // namespace

void add_audit_command(CLI::App& bylaw, Run& chosen) {
  CLI::App* audit =
      bylaw.add_subcommand("audit", "Check, anchor, sign, search and browse the audit store");
  audit->require_subcommand(1);
  auto options = std::make_shared<AuditOptions>();

  CLI::App* verify = audit->add_subcommand(
      "verify", "Check the hash chain, every column, the evidence index and the heads");
  verify->footer(
      "Exits 0 when the store is intact, 1 naming the first record or index row that differs.\n"
      "--head checks that the chain still holds a head printed earlier by `bylaw audit head`\n"
      "(so records cut off the end, or history rewritten before it, are found); --public-key\n"
      "checks the signature of every signed head and that no record is left unsigned.");
  add_store(verify, options->store);
  verify->add_option("--head", options->head, "A head kept elsewhere, as `audit head` printed it")
      ->type_name("SEQ:HASH");
  verify->add_option("--public-key", options->public_key, "The Ed25519 public key (PEM)")
      ->type_name("FILE");
  run_when_chosen(verify, chosen, options, run_verify);

  CLI::App* head = audit->add_subcommand(
      "head", "Print the chain's head (SEQ:HASH): keep it elsewhere, check it with verify --head");
  add_store(head, options->store);
  run_when_chosen(head, chosen, options, run_head);

  CLI::App* keygen =
      audit->add_subcommand("keygen", "Make an Ed25519 key pair for signing the chain's heads");
  keygen->add_option("--private-key", options->private_key, "Where the private key goes (0600)")
      ->required()
      ->type_name("FILE");
  keygen->add_option("--public-key", options->public_key, "Where the public key goes")
      ->required()
      ->type_name("FILE");
  run_when_chosen(keygen, chosen, options, run_keygen);

  add_audit_query_command(*audit, chosen);
  add_audit_serve_command(*audit, chosen);
}

}  // namespace bylaw::cli
