#pragma once

// The gates' verdict as a JUnit XML report, which CI servers (Jenkins, GitLab, GitHub test
// reporters) show as test results.

#include <ostream>
#include <string>
#include <string_view>

#include "reporters/gate_verdict.hpp"

namespace hload::reporters {

// write_junit writes verdict as one <testsuite name="hload"> whose tests and failures count its
// test cases: one <testcase classname="hload.gates" name="EXPR"> per gate, then one
// <testcase classname="hload.baseline" name="METRIC within BOUND of the baseline"> per baseline
// metric. A failing case holds <failure message="NAME: measured VALUE"> with the reason as its
// text; a passing one says what it measured in <system-out>. Baseline warnings go to the
// suite's <system-out>.
void write_junit(std::ostream& out, const GateVerdict& verdict);

// xml_escaped returns s fit for XML 1.0 text and attribute values: & < > " ' as entities, tab,
// newline and carriage return as character references (attribute values keep them), and the
// bytes XML cannot carry (other control characters, invalid UTF-8, U+FFFE, U+FFFF) as U+FFFD.
std::string xml_escaped(std::string_view s);

}  // namespace hload::reporters
