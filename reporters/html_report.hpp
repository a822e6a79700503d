#pragma once

// The HTML report (`-o html`, `hload report`): one self-contained page, drawn in the browser
// from the JSON report it carries. It needs no network: uPlot, the page's script and its style
// are inside it, and its Content-Security-Policy forbids fetching anything.

#include <string>

#include <nlohmann/json.hpp>

namespace hload::reporters {

// render_html returns the page for report, a JSON report (to_json's, or one read back from a
// file, gates included). The JSON is embedded with every '<' escaped, so that no string in it
// ("</script>" in an error message) can end its element; the page's script draws it.
std::string render_html(const nlohmann::ordered_json& report);

// embeddable_json returns report as JSON text that is safe inside a <script> element: every
// '<', '>' and '&' written as a \u escape, which JSON.parse reads back as the same character.
std::string embeddable_json(const nlohmann::ordered_json& report);

}  // namespace hload::reporters
