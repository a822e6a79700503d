#include "reporters/junit_report.hpp"

#include <cstdint>

namespace hload::reporters {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// valid_utf8 returns the length of the well-formed UTF-8 sequence at the front of s for a
// character XML allows, or 0: overlong forms, surrogates, code points past U+10FFFF and the
// non-characters U+FFFE and U+FFFF are not.
std::size_t valid_utf8(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s[0]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;
  return n;
}

// attribute writes ' name="value"', the value escaped.
std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escaped(value) + "\"";
}

// write_case writes one <testcase>: a <failure> when it failed, its measurement when it passed.
void write_case(std::ostream& out, std::string_view classname, const std::string& name, bool pass,
                const std::string& measured, const std::string& reason) {
  out << "  <testcase" << attribute("classname", classname) << attribute("name", name) << ">\n";
  if (pass) {
    out << "    <system-out>" << xml_escaped("measured " + measured + ": " + reason)
        << "</system-out>\n";
  } else {
    out << "    <failure" << attribute("message", name + ": measured " + measured)
        << attribute("type", classname) << ">" << xml_escaped(reason) << "</failure>\n";
  }
  out << "  </testcase>\n";
}

}  // namespace

std::string xml_escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const std::size_t n = valid_utf8(s.substr(i));
      if (n == 0) {
        out += kReplacement;
        ++i;
      } else {
        out += s.substr(i, n);
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        // XML 1.0 has no way to write the other control characters, even as references.
        if (static_cast<unsigned char>(c) < 0x20) {
          out += kReplacement;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void write_junit(std::ostream& out, const GateVerdict& verdict) {
  std::size_t tests = verdict.gates.size();
  std::size_t failures = 0;
  for (const GateResult& g : verdict.gates) failures += g.pass ? 0 : 1;
  if (verdict.baseline) {
    tests += verdict.baseline->rows.size();
    for (const BaselineRow& row : verdict.baseline->rows) failures += row.pass ? 0 : 1;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuite" << attribute("name", "hload") << attribute("tests", std::to_string(tests))
      << attribute("failures", std::to_string(failures)) << attribute("errors", "0")
      << attribute("skipped", "0") << ">\n";
  for (const GateResult& g : verdict.gates) {
    write_case(out, "hload.gates", g.expr, g.pass, g.measured, g.reason);
  }
  if (verdict.baseline) {
    for (const BaselineRow& row : verdict.baseline->rows) {
      const std::string name =
          std::string(to_string(row.metric)) + " within " + format_bound(row) + " of the baseline";
      const std::string measured = format_change(row) + " (" +
                                   format_row_value(row, row.old_value) + " to " +
                                   format_row_value(row, row.new_value) + ")";
      write_case(out, "hload.baseline", name, row.pass, measured, row.reason);
    }
    if (!verdict.baseline->warnings.empty()) {
      std::string warnings;
      for (const std::string& w : verdict.baseline->warnings) warnings += "warning: " + w + "\n";
      out << "  <system-out>" << xml_escaped(warnings) << "</system-out>\n";
    }
  }
  out << "</testsuite>\n";
}

}  // namespace hload::reporters
