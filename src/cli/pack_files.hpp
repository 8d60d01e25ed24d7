// The pack's neighbourhood: rule files next to the pack's files that the pack does not load. A
// new rule file left out of every `use` is otherwise silently ignored by `bylaw check`.
#pragma once

#include <string>
#include <vector>

#include "bylaw/core/diagnostics.hpp"
#include "bylaw/core/source.hpp"

namespace bylaw::cli {

struct UnusedRuleFile {
  std::string path;
  std::vector<std::string> event_types;  // the event types it declares
};

// The *.rules files in the folders of the loaded files that none of them loads.
std::vector<UnusedRuleFile> unused_rule_files(const SourceSet& loaded);

// One warning per unused file, and for each "unknown event type" error a hint naming the unused
// file that declares that type. Returns the text to print and counts the warnings.
std::string pack_file_notes(const std::vector<UnusedRuleFile>& unused,
                            const Diagnostics& diagnostics, const SourceSet& loaded,
                            std::size_t& warnings);

}  // namespace bylaw::cli
