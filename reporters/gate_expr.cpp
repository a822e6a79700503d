#include "reporters/gate_expr.hpp"

#include <array>
#include <optional>
#include <stdexcept>

#include "reporters/gate_units.hpp"

namespace hload::reporters {

namespace {

constexpr std::array<std::string_view, 8> kLatencyNames = {"p50",  "p90", "p95", "p99",
                                                           "p999", "max", "min", "mean"};
constexpr std::array<std::string_view, 9> kSummaryNames = {"rps",     "error_rate", "requests",
                                                           "ok",      "failed",     "errors",
                                                           "dropped", "unfinished", "elapsed_s"};
constexpr std::array<std::string_view, 5> kHostSumNames = {"dials", "tls_handshakes", "reused",
                                                           "retries", "dial_errors"};

// one_of says whether name is among names.
template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

// path_of builds a path from keys, "*" being a wildcard.
ReportPath path_of(std::initializer_list<std::string_view> keys) {
  ReportPath path;
  for (std::string_view k : keys) path.push_back({std::string(k), k == "*"});
  return path;
}

// expand_short_name replaces a one-name path that is a short name by the path it stands for.
void expand_short_name(GateExpr& gate) {
  if (gate.path.size() != 1 || gate.path[0].wildcard) return;
  std::string name = gate.path[0].key;
  const bool ms_suffix = name.size() > 3 && name.ends_with("_ms");
  const std::string bare = ms_suffix ? name.substr(0, name.size() - 3) : name;
  if (one_of(kLatencyNames, bare)) {
    gate.path = path_of({"latency", bare + "_ms"});
  } else if (one_of(kSummaryNames, name)) {
    gate.path = path_of({"summary", name});
  } else if (one_of(kHostSumNames, name)) {
    gate.path = path_of({"hosts", "*", name});
    gate.combine = Combine::sum;
  } else if (name == "reuse_ratio") {
    gate.path = path_of({"hosts", "*", name});
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

void skip_blanks(std::string_view& s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
}

// got quotes what is left of the input for an error message, or says that nothing is.
std::string got(std::string_view rest) {
  return rest.empty() ? std::string("nothing") : "\"" + std::string(rest) + "\"";
}

// scan_operator consumes the longest operator at the front of text.
std::optional<CompareOp> scan_operator(std::string_view& text) {
  struct Spelling {
    std::string_view text;
    CompareOp op;
  };
  // Two-character operators first, so that "<=" is not read as "<" followed by "=".
  static constexpr Spelling kSpellings[] = {
      {"<=", CompareOp::le}, {">=", CompareOp::ge}, {"==", CompareOp::eq},
      {"!=", CompareOp::ne}, {"<", CompareOp::lt},  {">", CompareOp::gt},
  };
  for (const Spelling& s : kSpellings) {
    if (text.starts_with(s.text)) {
      text.remove_prefix(s.text.size());
      return s.op;
    }
  }
  return std::nullopt;
}

// parse does parse_gate_expr's work, throwing std::invalid_argument without the flag prefix.
GateExpr parse(std::string_view text) {
  GateExpr gate;
  gate.text = std::string(text);
  std::string_view rest = trimmed(text);
  if (rest.empty()) throw std::invalid_argument("empty; expected PATH OP VALUE, such as p99<250ms");
  const std::string_view start = rest;
  gate.path = parse_report_path(rest);
  const std::string_view path_text = start.substr(0, start.size() - rest.size());
  expand_short_name(gate);

  skip_blanks(rest);
  const std::optional<CompareOp> op = scan_operator(rest);
  if (!op) {
    throw std::invalid_argument("expected an operator (< <= > >= == !=) after \"" +
                                std::string(path_text) + "\", got " + got(rest));
  }
  gate.op = *op;

  skip_blanks(rest);
  const std::optional<Quantity> q = scan_quantity(rest);
  if (!q) {
    throw std::invalid_argument("expected a number after \"" + std::string(to_string(*op)) +
                                "\", got " + got(rest));
  }
  gate.bound = in_field_unit(*q, gate.path.back().key, to_string(gate.path));
  gate.bound_text = q->text;

  skip_blanks(rest);
  if (!rest.empty()) {
    throw std::invalid_argument("expected the end after \"" + q->text + "\", got " + got(rest));
  }
  return gate;
}

}  // namespace

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::lt:
      return "<";
    case CompareOp::le:
      return "<=";
    case CompareOp::gt:
      return ">";
    case CompareOp::ge:
      return ">=";
    case CompareOp::eq:
      return "==";
    case CompareOp::ne:
      return "!=";
  }
  return "?";
}

bool holds(double measured, CompareOp op, double bound) {
  switch (op) {
    case CompareOp::lt:
      return measured < bound;
    case CompareOp::le:
      return measured <= bound;
    case CompareOp::gt:
      return measured > bound;
    case CompareOp::ge:
      return measured >= bound;
    case CompareOp::eq:
      return measured == bound;
    case CompareOp::ne:
      return measured != bound;
  }
  return false;
}

GateExpr parse_gate_expr(std::string_view text) {
  try {
    return parse(text);
  } catch (const std::invalid_argument& e) {
    throw GateError("-assert \"" + std::string(text) + "\": " + e.what());
  }
}

std::string describe_path(const GateExpr& gate) {
  const std::string path = to_string(gate.path);
  return gate.combine == Combine::sum ? "sum(" + path + ")" : path;
}

}  // namespace hload::reporters
