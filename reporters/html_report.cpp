#include "reporters/html_report.hpp"

#include <ostream>
#include <streambuf>

#include "reporters/html_assets.hpp"

namespace hload::reporters {

namespace {

// EscapingBuffer appends what is written to it to a string, escaping '<', '>' and '&': the JSON
// goes straight into the page, without a copy of the whole report in between.
class EscapingBuffer final : public std::streambuf {
 public:
  explicit EscapingBuffer(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) put(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) put(s[i]);
    return n;
  }

 private:
  // These characters occur only inside JSON strings, where a \u escape means the same.
  void put(char c) {
    switch (c) {
      case '<':
        out_ += "\\u003c";
        break;
      case '>':
        out_ += "\\u003e";
        break;
      case '&':
        out_ += "\\u0026";
        break;
      default:
        out_ += c;
    }
  }

  std::string& out_;
};

void append_embeddable(std::string& out, const nlohmann::ordered_json& report) {
  EscapingBuffer buffer(out);
  std::ostream stream(&buffer);
  stream << report;
}

}  // namespace

std::string embeddable_json(const nlohmann::ordered_json& report) {
  std::string out;
  append_embeddable(out, report);
  return out;
}

std::string render_html(const nlohmann::ordered_json& report) {
  using namespace html_assets;
  std::string page;
  page +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // Everything the page needs is in it: the policy refuses any fetch, so a report opened
      // offline, or from a mail, looks the same and tells nobody it was opened.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
      "<title>hload report</title>\n<style>\n";
  page += kUplotCss;
  page += "\n</style>\n<style>\n";
  page += kReportCss;
  page +=
      "\n</style>\n</head>\n<body>\n<main id=\"report\">\n"
      "<noscript>This report draws its charts with JavaScript; the JSON report is in the "
      "page's source.</noscript>\n</main>\n"
      "<script type=\"application/json\" id=\"hload-report\">";
  append_embeddable(page, report);
  page += "</script>\n<script>\n";
  page += kUplotJs;
  page += "\n</script>\n<script>\n";
  page += kReportJs;
  page += "\n</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace hload::reporters
