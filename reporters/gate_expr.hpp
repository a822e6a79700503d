#pragma once

// A CI gate as typed after -assert: `PATH OP VALUE`, such as `p99<250ms`,
// `hosts.*.reuse_ratio >= 0.9` or `summary.error_rate<=0.1%`.

#include <string>
#include <string_view>

#include "reporters/gate_error.hpp"
#include "reporters/report_path.hpp"

namespace hload::reporters {

// CompareOp is a gate's comparison: measured OP bound.
enum class CompareOp { lt, le, gt, ge, eq, ne };

// to_string returns the operator as typed: "<", "<=", ">", ">=", "==", "!=".
std::string_view to_string(CompareOp op);

// holds says whether `measured op bound` is true.
bool holds(double measured, CompareOp op, double bound);

// Combine is how a gate judges the fields its path reaches.
enum class Combine {
  each,  // every field must pass on its own (one field, or each key of a wildcard)
  sum,   // the fields are added up and the sum must pass
};

// GateExpr is one parsed assertion.
struct GateExpr {
  std::string text;  // as typed
  ReportPath path;   // short names expanded: p99 is latency.p99_ms
  Combine combine = Combine::each;
  CompareOp op = CompareOp::lt;
  double bound = 0;        // VALUE converted into the unit of the field (ms for p99)
  std::string bound_text;  // VALUE as typed: "250ms"
};

// parse_gate_expr parses one assertion. Blank space may surround the operator. A PATH that is
// one bare name may be a short name: p50 p90 p95 p99 p999 max min mean (and the same with _ms)
// are latency.<name>_ms; rps error_rate requests ok failed errors dropped unfinished elapsed_s
// are summary.<name>; dials tls_handshakes reused retries dial_errors are the sum of
// hosts.*.<name>; reuse_ratio is hosts.*.reuse_ratio, every host. Whether the path exists is
// not checked here (see validate_gates). Throws GateError with one line naming the bad part:
// `-assert "p99<<3": expected a number after "<", got "<3"`.
GateExpr parse_gate_expr(std::string_view text);

// describe_path names what a gate reads: "latency.p99_ms", "hosts.*.reuse_ratio", or
// "sum(hosts.*.dials)" when it adds the fields up.
std::string describe_path(const GateExpr& gate);

}  // namespace hload::reporters
