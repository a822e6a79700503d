#include "cmd/targets_file.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string_view>

#include "cmd/addresses.hpp"
#include "cmd/body_file.hpp"
#include "cmd/http_syntax.hpp"
#include "cmd/usage_error.hpp"

namespace hload::cli {
namespace {

using engine::TargetSpec;

// Where is a line of the file, to name it in messages.
struct Where {
  const std::string& path;
  int line = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw UsageError("-targets " + quote(path) + ":" + std::to_string(line) + ": " + why);
  }
};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// checked_request fills spec's method and URL, refusing what cannot be sent.
void checked_request(const Where& at, TargetSpec& spec, std::string_view method,
                     std::string_view url) {
  spec.method = upper(method);
  if (!is_token(spec.method)) at.fail("bad method " + quote(method));
  try {
    check_target_url(url);
  } catch (const UsageError& e) {
    at.fail(e.what());
  }
  spec.url = std::string(url);
}

// checked_header returns "Name: value", refusing a name that is not a token or a line break.
std::string checked_header(const Where& at, std::string_view name, std::string_view value) {
  if (!is_token(name) || breaks_line(value)) {
    at.fail("expected a header \"Name: value\" (got " + quote(std::string(name)) + ")");
  }
  return std::string(name) + ": " + std::string(value);
}

std::vector<TargetSpec> read_http(const std::string& path, std::istream& in) {
  std::vector<TargetSpec> out;
  bool in_paragraph = false;
  Where at{path};
  std::string line;
  while (std::getline(in, line)) {
    ++at.line;
    const std::string_view text = trimmed(line);
    if (text.empty()) {
      in_paragraph = false;
      continue;
    }
    if (text.front() == '#') continue;
    if (!in_paragraph) {
      const auto space = text.find_first_of(" \t");
      const std::string_view url =
          space == std::string_view::npos ? std::string_view() : trimmed(text.substr(space));
      if (url.empty() || url.find_first_of(" \t") != std::string_view::npos) {
        at.fail("expected \"METHOD URL\" (got " + quote(text) + ")");
      }
      checked_request(at, out.emplace_back(), text.substr(0, space), url);
      in_paragraph = true;
    } else if (text.front() == '@') {
      if (out.back().body) at.fail("a second body line");
      try {
        out.back().body = read_body_file(std::string(trimmed(text.substr(1))));
      } catch (const UsageError& e) {
        at.fail(std::string(e.what()).substr(std::string_view("-D: ").size()));
      }
    } else {
      const auto colon = text.find(':');
      if (colon == std::string_view::npos) {
        at.fail(R"(expected a header "Name: value" or "@FILE" (got )" + quote(text) + ")");
      }
      out.back().headers.push_back(
          checked_header(at, trimmed(text.substr(0, colon)), trimmed(text.substr(colon + 1))));
    }
  }
  return out;
}

// decoded returns base64 text as bytes.
std::string decoded(const Where& at, const std::string& text) {
  namespace b64 = boost::beast::detail::base64;
  // The decoder stops at the padding, so what must be read whole is the text before it.
  std::string_view digits = text;
  for (int pad = 0; pad < 2 && digits.ends_with('='); ++pad) digits.remove_suffix(1);
  std::string out(b64::decoded_size(text.size()), '\0');
  const auto [written, read] = b64::decode(out.data(), digits.data(), digits.size());
  if (read != digits.size()) at.fail("\"body\" is not base64");
  out.resize(written);
  return out;
}

TargetSpec json_target(const Where& at, const nlohmann::json& j) {
  if (!j.is_object()) at.fail("expected a JSON object");
  const auto text = [&](const char* field) -> std::string {
    const auto it = j.find(field);
    if (it == j.end() || !it->is_string()) at.fail(std::string("\"") + field + "\" must be text");
    return it->get<std::string>();
  };
  TargetSpec spec;
  checked_request(at, spec, j.contains("method") ? text("method") : "GET", text("url"));
  if (const auto h = j.find("header"); h != j.end() && !h->is_null()) {
    if (!h->is_object()) at.fail("\"header\" must map names to lists of values");
    for (const auto& [name, values] : h->items()) {
      if (!values.is_array()) at.fail("header " + quote(name) + " must be a list of values");
      for (const auto& v : values) {
        if (!v.is_string()) at.fail("header " + quote(name) + " must be a list of values");
        spec.headers.push_back(checked_header(at, name, v.get<std::string>()));
      }
    }
  }
  if (const auto b = j.find("body"); b != j.end() && !b->is_null()) {
    if (!b->is_string()) at.fail("\"body\" must be base64 text");
    spec.body = decoded(at, b->get<std::string>());
  }
  return spec;
}

std::vector<TargetSpec> read_json_lines(const std::string& path, std::istream& in) {
  std::vector<TargetSpec> out;
  Where at{path};
  std::string line;
  while (std::getline(in, line)) {
    ++at.line;
    if (trimmed(line).empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) at.fail("not a JSON object");
    out.push_back(json_target(at, j));
  }
  return out;
}

}  // namespace

std::vector<TargetSpec> read_targets_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream whole;
  if (in) whole << in.rdbuf();
  if (!in || in.bad()) throw UsageError("-targets: cannot read " + quote(path));
  const std::string text = whole.str();
  std::istringstream lines(text);
  const std::string_view start = trimmed(text);
  std::vector<TargetSpec> out = !start.empty() && start.front() == '{'
                                    ? read_json_lines(path, lines)
                                    : read_http(path, lines);
  if (out.empty()) throw UsageError("-targets " + quote(path) + ": no targets in the file");
  return out;
}

}  // namespace hload::cli
