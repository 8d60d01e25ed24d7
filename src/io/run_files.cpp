#include "bylaw/io/run_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "bylaw/io/decision_encoder.hpp"
#include "bylaw/io/durable_run.hpp"
#include "bylaw/io/internal/tuning.hpp"
#include "bylaw/io/line_reader.hpp"
#include "decode_ahead.hpp"
#include "encode_behind.hpp"
#include "input_file.hpp"
#include "output_file.hpp"

namespace bylaw::io {

namespace {

// What tells two paths of one file apart from two files: the device and inode of a regular file
// that exists (through links; "-": the standard stream `fd`), the canonical path of one that
// does not exist yet. Empty for anything else (/dev/null, a terminal): never in conflict.
std::string identify(const std::string& path, int fd) {
  struct stat info {};
  int status = path == "-" ? fstat(fd, &info) : stat(path.c_str(), &info);
  if (status == 0) {
    if (!S_ISREG(info.st_mode)) return "";
    return fmt::format("inode {}:{}", info.st_dev, info.st_ino);
  }
  std::error_code ec;
  return "path " + std::filesystem::weakly_canonical(path, ec).string();
}

// Whether the path could be written, without creating or changing anything: an existing file
// must be writable, a new one's folder must let files be made in it.
void check_writable(const char* what, const std::string& path) {
  if (path.empty() || path == "-") return;
  std::error_code ec;
  bool exists = std::filesystem::exists(path, ec);
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  int status = exists ? ::access(path.c_str(), W_OK) : ::access(folder.c_str(), W_OK | X_OK);
  if (status != 0) {
    throw RunRefused(fmt::format("cannot write {} '{}': {}", what, path, std::strerror(errno)));
  }
  if (exists && std::filesystem::is_directory(path, ec)) {
    throw RunRefused(fmt::format("cannot write {} '{}': it is a directory", what, path));
  }
}

struct NamedOutput {
  const char* what;
  std::string path;
};

}  // namespace

void check_run_files(const RunFiles& files) {
  if (files.store == "-") {
    throw RunRefused("the store cannot be standard output ('-'): give the path of its file");
  }
  std::vector<NamedOutput> outputs{{"the output", files.output},
                                   {"the rejects", files.rejects},
                                   {"the shadow output", files.shadow_output},
                                   {"the summary", files.summary_json},
                                   {"the store", files.store}};
  std::erase_if(outputs, [](const NamedOutput& o) { return o.path.empty(); });
  const NamedOutput* on_stdout = nullptr;
  for (const NamedOutput& o : outputs) {
    if (o.path != "-") continue;
    if (on_stdout) {
      throw RunRefused(fmt::format("{} and {} cannot both go to standard output ('-')",
                                   on_stdout->what, o.what));
    }
    on_stdout = &o;
  }
  std::string input = identify(files.input, STDIN_FILENO);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    std::string id = identify(outputs[i].path, STDOUT_FILENO);
    if (id.empty()) continue;
    if (id == input) {
      throw RunRefused(
          fmt::format("{} '{}' is the input itself: writing it would destroy what is being read",
                      outputs[i].what, outputs[i].path));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (identify(outputs[j].path, STDOUT_FILENO) == id) {
        throw RunRefused(fmt::format("{} '{}' and {} '{}' are the same file", outputs[j].what,
                                     outputs[j].path, outputs[i].what, outputs[i].path));
      }
    }
  }
  for (const NamedOutput& o : outputs) check_writable(o.what, o.path);
}

namespace {

// One output of a plain run, written in large blocks, or whenever asked (a live input).
class BufferedOutput {
 public:
  explicit BufferedOutput(std::unique_ptr<OutputFile> file) : file_(std::move(file)) {}
  std::string& buffer() { return buffer_; }
  void wrote() {
    if (buffer_.size() >= kBlock) flush();
  }
  void flush() {
    if (!file_ || buffer_.empty()) return;
    file_->append(buffer_);
    buffer_.clear();
  }
  explicit operator bool() const { return file_ != nullptr; }

 private:
  static constexpr std::size_t kBlock = 1 << 20;
  std::unique_ptr<OutputFile> file_;
  std::string buffer_;
};

std::unique_ptr<OutputFile> open_output(const char* what, const std::string& path) {
  if (path.empty()) return nullptr;
  std::string error;
  std::unique_ptr<OutputFile> file = OutputFile::open(path, true, error);
  if (!file) throw RunRefused(fmt::format("cannot write {} '{}': {}", what, path, error));
  return file;
}

class FileSink : public runtime::DecisionSink {
 public:
  FileSink(BufferedOutput& out, BufferedOutput& shadow, Explanations explanations)
      : out_(out), shadow_(shadow), explanations_(explanations) {}
  void on_decision(const runtime::Decision& decision) override {
    // Shadow rules enforce nothing: their decisions go only where they were asked for.
    BufferedOutput& to = decision.shadow ? shadow_ : out_;
    if (!to) return;
    append_decision(decision, to.buffer(), explanations_);
    to.buffer() += '\n';
    to.wrote();
  }

 private:
  BufferedOutput& out_;
  BufferedOutput& shadow_;
  Explanations explanations_;
};

}  // namespace

namespace {

RunCounts run(const check::Policy& policy, const RunFiles& files, const RunOptions& options,
              const RejectHandler& log_reject, bool exits_after) {
  auto started = std::chrono::steady_clock::now();  // for the summary only, never for decisions
  InputFile input(files.input, options.stop);
  BufferedOutput out(open_output("the output", files.output));
  BufferedOutput rejects(open_output("the rejects", files.rejects));
  BufferedOutput shadow(open_output("the shadow output", files.shadow_output));
  FileSink sink(out, shadow, options.explanations);
  // A third thread encodes behind evaluation, as the second decodes ahead of it (a regular file
  // only: a live input's decisions go out whenever it pauses, from the evaluating thread).
  std::optional<EncodeBehind> behind;
  runtime::DecisionSink* evaluated_to = &sink;
  if (options.threads >= 3 && input.regular()) evaluated_to = &behind.emplace(sink);
  RejectHandler on_reject = [&](std::uint64_t line, std::string_view reason,
                                std::string_view detail, std::string_view text) {
    if (!rejects) return log_reject(line, reason, detail, text);
    rejects.buffer() += encode_reject(line, reason, detail, text);
    rejects.buffer() += '\n';
    rejects.wrote();
  };
  auto runner = std::make_unique<StreamRunner>(policy, *evaluated_to, on_reject, options);
  auto flush_all = [&] {
    out.flush();
    rejects.flush();
    shadow.flush();
  };
  // Before waiting for more of a live input, what was decided goes out.
  LineReader reader([&](char* buffer, std::size_t size) {
    if (!input.regular()) flush_all();
    return input.read(buffer, size);
  });
  if (options.threads >= 2 && input.regular()) {
    // A live input is read line by line instead: its decisions go out as soon as it pauses.
    DecodeAhead ahead(policy.schema, reader, runner->lines_so_far() + 1);
    while (std::unique_ptr<DecodedBatch> batch = ahead.next()) {
      for (std::size_t i = 0; i < batch->lines.size(); ++i) {
        runner->decoded_line(batch->line(i), std::move(batch->lines[i]));
      }
      ahead.give_back(std::move(batch));
    }
  } else {
    std::string_view line;
    while (reader.next(line)) runner->line(line);
  }
  if (input.failed()) {
    throw std::runtime_error(fmt::format("reading {} failed: {}", input.name(), input.error()));
  }
  runner->finish();  // after a stop too: nothing that was read stays unevaluated
  if (behind) behind->finish();
  flush_all();
  RunCounts counts = runner->counts();
  counts.stopped = reader.interrupted();
  if (exits_after) internal::leave_to_exit(std::move(runner));
  counts.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return counts;
}

}  // namespace

RunCounts run_files(const check::Policy& policy, const RunFiles& files, const RunOptions& options,
                    const RejectHandler& log_reject) {
  return run(policy, files, options, log_reject, false);
}

namespace internal {

RunCounts run_files_then_exit(const check::Policy& policy, const RunFiles& files,
                              const RunOptions& options, const RejectHandler& log_reject) {
  return run(policy, files, options, log_reject, true);
}

}  // namespace internal

}  // namespace bylaw::io

namespace bylaw::io {

std::unique_ptr<AuditStore> open_run_store(const RunFiles& files, const check::Policy& policy) {
  std::string error;
  std::unique_ptr<AuditStore> store = AuditStore::open(files.store, true, error);
  if (!store) throw RunRefused(fmt::format("cannot open store '{}': {}", files.store, error));
  if (!files.signing_key.empty()) {
    std::unique_ptr<SigningKey> key = SigningKey::load(files.signing_key, error);
    if (!key) throw RunRefused("--signing-key: " + error);
    store->sign_heads_with(std::move(key));
  }
  store->add_policy(policy);
  return store;
}

}  // namespace bylaw::io
