#pragma once

// The files the HTML report carries inside itself, embedded at build time
// (cmake/embed_assets.cmake): uPlot (from npm, reporters/html/package.json) and the report's own
// script and style (reporters/html/). None contains "</script" or "</style".

#include <string_view>

namespace hload::reporters::html_assets {

extern const std::string_view kUplotJs;    // uPlot's dist/uPlot.iife.min.js
extern const std::string_view kUplotCss;   // uPlot's dist/uPlot.min.css
extern const std::string_view kReportJs;   // reporters/html/report.js: draws the page
extern const std::string_view kReportCss;  // reporters/html/report.css: screen and print

}  // namespace hload::reporters::html_assets
