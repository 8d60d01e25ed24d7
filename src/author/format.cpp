#include "bylaw/author/format.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "bylaw/syntax/tokens.hpp"

namespace bylaw::author {

namespace {

enum class TokenKind { word, number, string, op };

struct Token {
  TokenKind kind;
  std::string text;
};

// The code of one line as tokens, and its trailing comment (with its `#`), if any.
bool tokenize(const std::string& line, std::vector<Token>& tokens, std::string& comment,
              std::string& error) {
  tokens.clear();
  comment.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      comment = line.substr(i);
      while (!comment.empty() &&
             (comment.back() == ' ' || comment.back() == '\t' || comment.back() == '\r')) {
        comment.pop_back();
      }
      return true;
    } else if (c == '"') {
      std::size_t j = i + 1;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      if (j >= line.size()) {
        error = "a string that does not end on its line";
        return false;
      }
      tokens.push_back({TokenKind::string, line.substr(i, j + 1 - i)});
      i = j + 1;
    } else if (syntax::is_name_start(c)) {
      std::size_t j = i;
      while (j < line.size() && syntax::is_name_char(line[j])) ++j;
      tokens.push_back({TokenKind::word, line.substr(i, j - i)});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      // 42, 2.5, 30d, 6mo, 1d12h; `1..5` is two numbers around `..`.
      std::size_t j = i;
      while (j < line.size()) {
        if (syntax::is_name_char(line[j])) {
          ++j;
        } else if (line[j] == '.' && j + 1 < line.size() &&
                   std::isdigit(static_cast<unsigned char>(line[j + 1]))) {
          ++j;
        } else {
          break;
        }
      }
      tokens.push_back({TokenKind::number, line.substr(i, j - i)});
      i = j;
    } else {
      static const char* pairs[] = {"==", "!=", "<=", ">=", ".."};
      std::string op(1, c);
      for (const char* pair : pairs) {
        if (line.compare(i, 2, pair) == 0) op = pair;
      }
      tokens.push_back({TokenKind::op, op});
      i += op.size();
    }
  }
  return true;
}

// Whether tokens[i] is a keyword where it stands: a word of the keyword table that is not a
// field's name (after a `.`, `hold` or `version` name fields).
bool keyword_at(const std::vector<Token>& tokens, std::size_t i) {
  const Token& t = tokens[i];
  if (t.kind != TokenKind::word || !syntax::is_keyword(t.text)) return false;
  return i == 0 || tokens[i - 1].kind != TokenKind::op || tokens[i - 1].text != ".";
}

// Whether a `-` at tokens[i] is a sign, not a subtraction: at the start, after an operator
// other than a closing bracket, or after a keyword.
bool expects_operand(const std::vector<Token>& tokens, std::size_t i) {
  if (i == 0) return true;
  const Token& previous = tokens[i - 1];
  if (previous.kind == TokenKind::op) {
    return previous.text != ")" && previous.text != "]" && previous.text != "}";
  }
  return keyword_at(tokens, i - 1);
}

// The code of a line with canonical spacing.
std::string spaced(const std::vector<Token>& tokens) {
  std::string out;
  std::vector<char> braces;  // the brackets open on this line
  bool in_generic = false;   // between `set<` and `>`
  bool sign_next = false;    // the previous token was a sign: nothing between it and its operand
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    const Token* prev = i ? &tokens[i - 1] : nullptr;
    bool space = prev != nullptr;
    if (prev) {
      const std::string& p = prev->text;
      bool prev_op = prev->kind == TokenKind::op;
      bool this_op = t.kind == TokenKind::op;
      if (sign_next) space = false;
      if (prev_op && (p == "(" || p == "[" || p == "." || p == ".." ||
                      (p == "{" && t.text != "}" && !braces.empty() && braces.back() == '{'))) {
        space = false;
      }
      if (this_op && (t.text == ")" || t.text == "]" || t.text == "," || t.text == ":" ||
                      t.text == "?" || t.text == "." || t.text == "..")) {
        space = false;
      }
      if (this_op && t.text == "}" && !braces.empty() && braces.back() == '{') space = false;
      if (this_op && t.text == "(" && prev->kind == TokenKind::word && !keyword_at(tokens, i - 1)) {
        space = false;  // a call, or enum(...)
      }
      if (in_generic && (p == "<" || t.text == ">")) space = false;
      if (this_op && t.text == "<" && prev->kind == TokenKind::word && p == "set") space = false;
    }
    sign_next = false;
    if (t.kind == TokenKind::op && t.text == "-" && expects_operand(tokens, i)) sign_next = true;
    if (t.kind == TokenKind::op && t.text == "<" && prev && prev->text == "set") in_generic = true;
    if (t.kind == TokenKind::op && t.text == ">" && in_generic) in_generic = false;
    if (t.kind == TokenKind::op && (t.text == "(" || t.text == "[" || t.text == "{")) {
      braces.push_back(t.text[0]);
    }
    if (t.kind == TokenKind::op && (t.text == ")" || t.text == "]" || t.text == "}") &&
        !braces.empty()) {
      braces.pop_back();
    }
    if (space) out += ' ';
    out += t.text;
  }
  return out;
}

struct Line {
  std::size_t indent = 0;  // as written, in columns
  std::vector<Token> tokens;
  std::string comment;
  bool blank = false;
};

std::size_t written_indent(const std::string& line) {
  std::size_t columns = 0;
  for (char c : line) {
    if (c == ' ') {
      ++columns;
    } else if (c == '\t') {
      columns = (columns / 8 + 1) * 8;
    } else {
      break;
    }
  }
  return columns;
}

// All the tokens of a text, for the check that formatting changed only blanks.
bool tokens_of(const std::string& text, std::vector<std::string>& out, std::string& error) {
  std::size_t begin = 0;
  std::vector<Token> tokens;
  std::string comment;
  while (begin <= text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (!tokenize(text.substr(begin, end - begin), tokens, comment, error)) return false;
    for (auto& t : tokens) out.push_back(std::move(t.text));
    if (!comment.empty()) out.push_back(comment);
    begin = end + 1;
  }
  return true;
}

// Pass 1: the lines, tokenized; nothing when one does not tokenize.
std::optional<std::vector<Line>> read_lines(const std::string& text, std::string& error) {
  std::vector<Line> lines;
  std::size_t begin = 0;
  std::size_t number = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    std::string raw = text.substr(begin, end - begin);
    begin = end + 1;
    ++number;
    Line line;
    line.indent = written_indent(raw);
    if (!tokenize(raw, line.tokens, line.comment, error)) {
      error = fmt::format("line {}: {}", number, error);
      return std::nullopt;
    }
    line.blank = line.tokens.empty() && line.comment.empty();
    lines.push_back(std::move(line));
  }
  return lines;
}

// How each line is laid out: its code with canonical spacing, its level (two spaces each), and
// the column of its trailing comment.
struct Layout {
  std::vector<std::string> code;
  std::vector<std::size_t> level;
  std::vector<std::size_t> comment_column;
};

// Braces the line leaves open (a set literal closes on its own line; a leading `}` was counted).
int braces_left_open(const Line& line, bool closes) {
  int open = 0;
  for (const auto& t : line.tokens) {
    if (t.kind != TokenKind::op) continue;
    if (t.text == "{") ++open;
    if (t.text == "}" && !(closes && &t == &line.tokens.front())) --open;
  }
  return open;
}

// Pass 2: the level of each code line: blocks by braces; within a block, an outline of the
// written indents in steps of one level.
void indent_code(const std::vector<Line>& lines, Layout& layout) {
  struct Block {
    std::vector<std::pair<std::size_t, std::size_t>> outline;  // (written indent, level)
    std::size_t base = 0;
  };
  std::vector<Block> blocks{Block{}};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.tokens.empty()) continue;  // blank, or a comment line: placed by the code after it
    bool closes = line.tokens.front().kind == TokenKind::op && line.tokens.front().text == "}";
    if (closes && blocks.size() > 1) blocks.pop_back();
    Block& block = blocks.back();
    auto& outline = block.outline;
    while (!outline.empty() && outline.back().first > line.indent) outline.pop_back();
    std::size_t at;
    if (closes || outline.empty()) {
      outline.clear();
      outline.emplace_back(line.indent, block.base);
      at = block.base;
    } else if (outline.back().first == line.indent) {
      at = outline.back().second;
    } else {
      at = outline.back().second + 1;
      outline.emplace_back(line.indent, at);
    }
    layout.level[i] = at;
    layout.code[i] = spaced(line.tokens);
    for (int b = braces_left_open(line, closes); b > 0; --b) blocks.push_back(Block{{}, at + 1});
  }
}

// Pass 3: a comment line takes the level of the code after it (inside the block when that code
// closes it; 0 at the end of the file).
void place_comment_lines(const std::vector<Line>& lines, Layout& layout) {
  for (std::size_t i = lines.size(); i-- > 0;) {
    if (lines[i].blank || !lines[i].tokens.empty()) continue;
    std::size_t next = i + 1;
    while (next < lines.size() && lines[next].blank) ++next;
    if (next == lines.size()) {
      layout.level[i] = 0;
    } else if (!lines[next].tokens.empty() && lines[next].tokens.front().text == "}") {
      layout.level[i] = layout.level[next] + 1;
    } else {
      layout.level[i] = layout.level[next];
    }
  }
}

// Pass 4: trailing comments on consecutive lines line up.
void align_comments(const std::vector<Line>& lines, Layout& layout) {
  auto trailing = [&](std::size_t k) {
    return !lines[k].tokens.empty() && !lines[k].comment.empty();
  };
  for (std::size_t i = 0; i < lines.size();) {
    if (!trailing(i)) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::size_t widest = 0;
    for (; j < lines.size() && trailing(j); ++j) {
      widest = std::max(widest, layout.level[j] * 2 + layout.code[j].size());
    }
    for (std::size_t k = i; k < j; ++k) layout.comment_column[k] = widest + 2;
    i = j;
  }
}

// Pass 5: the text, with blank lines tidied (one at most, none at the start or the end).
std::string render(const std::vector<Line>& lines, const Layout& layout) {
  std::string out;
  bool previous_blank = true;  // no blank line at the start
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.blank) {
      if (!previous_blank) out += '\n';
      previous_blank = true;
      continue;
    }
    previous_blank = false;
    std::string shown(layout.level[i] * 2, ' ');
    if (!line.tokens.empty()) {
      shown += layout.code[i];
      if (!line.comment.empty()) {
        std::size_t column = layout.comment_column[i];
        shown.append(column > shown.size() ? column - shown.size() : 2, ' ');
      }
    }
    shown += line.comment;
    out += shown;
    out += '\n';
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') {
    out.pop_back();
  }
  return out;
}

}  // namespace

std::optional<std::string> format_source(const std::string& text, std::string& error) {
  std::optional<std::vector<Line>> lines = read_lines(text, error);
  if (!lines) return std::nullopt;
  Layout layout{std::vector<std::string>(lines->size()), std::vector<std::size_t>(lines->size(), 0),
                std::vector<std::size_t>(lines->size(), 0)};
  indent_code(*lines, layout);
  place_comment_lines(*lines, layout);
  align_comments(*lines, layout);
  std::string out = render(*lines, layout);
  // Only blanks may change: the tokens before and after must be the same.
  std::vector<std::string> before, after;
  if (!tokens_of(text, before, error) || !tokens_of(out, after, error) || before != after) {
    error = "formatting would change the file's tokens (a bug in bylaw fmt): left as it is";
    return std::nullopt;
  }
  return out;
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

using EditScript = std::vector<std::pair<char, std::string>>;  // ' ' kept, '-' removed, '+' added

// The edit script over whole files, from the longest common subsequence of the lines between
// the common prefix and suffix: formatting changes are local, so the middle is small.
EditScript edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  std::size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1
                                                 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  EditScript script;
  for (std::size_t i = 0; i < prefix; ++i) script.emplace_back(' ', a[i]);
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
      script.emplace_back(' ', a[prefix + i]);
      ++i, ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
      script.emplace_back('+', b[prefix + j++]);  // removed lines come first on a tie
    } else {
      script.emplace_back('-', a[prefix + i++]);
    }
  }
  for (std::size_t k = a.size() - suffix; k < a.size(); ++k) script.emplace_back(' ', a[k]);
  return script;
}

// The hunk starting at the change at `k`: from `context` lines before it to `context` after the
// last change that is no more than 2 * context lines after the one before it. Returns its end.
std::size_t append_hunk(const EditScript& script, std::size_t k, std::size_t context,
                        std::string& out) {
  std::size_t start = k > context ? k - context : 0;
  std::size_t end = k;
  while (end < script.size()) {
    std::size_t next = end;
    while (next < script.size() && script[next].first == ' ') ++next;
    if (next == script.size() || next - end > 2 * context) break;
    end = next + 1;
  }
  end = std::min(script.size(), end + context);
  std::size_t a_line = 1, b_line = 1, a_count = 0, b_count = 0;
  for (std::size_t s = 0; s < end; ++s) {
    std::size_t& a = s < start ? a_line : a_count;
    std::size_t& b = s < start ? b_line : b_count;
    if (script[s].first != '+') ++a;
    if (script[s].first != '-') ++b;
  }
  out += fmt::format("@@ -{},{} +{},{} @@\n", a_line, a_count, b_line, b_count);
  for (std::size_t s = start; s < end; ++s) out += script[s].first + script[s].second + "\n";
  return end;
}

}  // namespace

std::string unified_diff(const std::string& path, const std::string& before,
                         const std::string& after, int context) {
  EditScript script = edit_script(split_lines(before), split_lines(after));
  std::string out;
  for (std::size_t k = 0; k < script.size();) {
    if (script[k].first == ' ') {
      ++k;
      continue;
    }
    if (out.empty()) out += fmt::format("--- {}\n+++ {} (formatted)\n", path, path);
    k = append_hunk(script, k, static_cast<std::size_t>(context), out);
  }
  return out;
}

}  // namespace bylaw::author
