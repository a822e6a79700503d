#include "reporters/report_path.hpp"

#include <stdexcept>

namespace hload::reporters {

namespace {

using nlohmann::ordered_json;

// is_name_char says whether c may appear in a bare (unquoted) key.
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// is_plain_name says whether key can be written bare, without quotes.
bool is_plain_name(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

// ends_path says whether c is where a path stops: before blank space or an operator.
bool ends_path(char c) {
  return c == ' ' || c == '\t' || c == '<' || c == '>' || c == '=' || c == '!';
}

// got quotes the rest of the input for an error message, or says that nothing is left.
std::string got(std::string_view rest) {
  return rest.empty() ? std::string("nothing") : "\"" + std::string(rest) + "\"";
}

// PathParser walks one path, so that every error can quote what was read and what is left.
class PathParser {
 public:
  explicit PathParser(std::string_view text) : text_(text) {}

  ReportPath parse() {
    ReportPath path;
    for (;;) {
      path.push_back(segment(path.empty()));
      if (at_end() || ends_path(peek())) break;
      if (peek() == '.') {
        ++pos_;
      } else if (peek() != '[') {
        fail(R"(".", "[" or an operator)");
      }
    }
    return path;
  }

  std::size_t consumed() const { return pos_; }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  // fail throws "expected WHAT after PARSED, got REST" at the current position.
  [[noreturn]] void fail(const std::string& expected) const {
    const std::string_view parsed = text_.substr(0, pos_);
    std::string message = "expected " + expected;
    if (!parsed.empty()) message += " after \"" + std::string(parsed) + "\"";
    throw std::invalid_argument(message + ", got " + got(text_.substr(pos_)));
  }

  // segment reads one name, * or quoted key; first says no dot came before it.
  PathSegment segment(bool first) {
    if (!at_end() && peek() == '*') {
      ++pos_;
      return {"", true};
    }
    if (!at_end() && peek() == '[') return quoted();
    const std::size_t start = pos_;
    while (!at_end() && is_name_char(peek())) ++pos_;
    if (pos_ == start) fail(first ? "a field name" : "a field name, * or [\"key\"]");
    return {std::string(text_.substr(start, pos_ - start)), false};
  }

  // quoted reads ["key"] or ['key']; a backslash takes the next character as it is.
  PathSegment quoted() {
    const std::string_view before = text_.substr(0, pos_ + 1);
    ++pos_;  // [
    if (at_end() || (peek() != '"' && peek() != '\'')) fail("a quoted key");
    const char quote = peek();
    ++pos_;
    std::string key;
    for (;;) {
      if (at_end()) {
        throw std::invalid_argument(std::string("missing the closing ") + quote +
                                    " of the key after \"" + std::string(before) + "\"");
      }
      char c = peek();
      ++pos_;
      if (c == quote) break;
      if (c == '\\' && !at_end()) {
        c = peek();
        ++pos_;
      }
      key += c;
    }
    if (at_end() || peek() != ']') fail("\"]\"");
    ++pos_;
    return {std::move(key), false};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// a_type names j's JSON type with its article: "a number", "an object", "null".
std::string a_type(const ordered_json& j) {
  if (j.is_null()) return "null";
  const std::string name = j.type_name();
  const bool vowel = name.find_first_of("aeiou") == 0;
  return (vowel ? "an " : "a ") + name;
}

// describe names the place a walk reached, for messages.
std::string describe(const ReportPath& concrete) {
  return concrete.empty() ? "the report" : to_string(concrete);
}

// walk follows path from depth on below node, appending every field it reaches to out.
void walk(const ReportPath& path, std::size_t depth, const ordered_json& node, ReportPath& concrete,
          std::vector<PathMatch>& out) {
  if (depth == path.size()) {
    out.push_back({concrete, &node});
    return;
  }
  const auto unknown = [&](const std::string& why) {
    return std::invalid_argument("unknown field \"" + to_string(path) + "\" (" + why + ")");
  };
  if (!node.is_object()) {
    throw unknown(describe(concrete) + " is " + a_type(node) + ", not an object");
  }
  const PathSegment& segment = path[depth];
  if (segment.wildcard) {
    for (const auto& [key, value] : node.items()) {
      concrete.push_back({key, false});
      walk(path, depth + 1, value, concrete, out);
      concrete.pop_back();
    }
    return;
  }
  const auto it = node.find(segment.key);
  if (it == node.end()) throw unknown(describe(concrete) + " has no \"" + segment.key + "\"");
  concrete.push_back(segment);
  walk(path, depth + 1, *it, concrete, out);
  concrete.pop_back();
}

}  // namespace

ReportPath parse_report_path(std::string_view& text) {
  PathParser parser(text);
  ReportPath path = parser.parse();
  text.remove_prefix(parser.consumed());
  return path;
}

std::string to_string(const ReportPath& path) {
  std::string out;
  for (const PathSegment& s : path) {
    if (s.wildcard || is_plain_name(s.key)) {
      if (!out.empty()) out += '.';
      out += s.wildcard ? "*" : s.key;
      continue;
    }
    out += "[\"";
    for (char c : s.key) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"]";
  }
  return out;
}

bool has_wildcard(const ReportPath& path) {
  for (const PathSegment& s : path) {
    if (s.wildcard) return true;
  }
  return false;
}

std::vector<PathMatch> resolve_report_path(const ReportPath& path, const ordered_json& report) {
  std::vector<PathMatch> out;
  ReportPath concrete;
  walk(path, 0, report, concrete, out);
  return out;
}

}  // namespace hload::reporters
