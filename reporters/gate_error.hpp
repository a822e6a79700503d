#pragma once

// The error of a CI gate that cannot be checked: an assertion or bound that does not parse, or
// a field the report does not have. Its message is one line, meant for standard error before
// any request is sent.

#include <stdexcept>

namespace hload::reporters {

// GateError is thrown with a one-line message that names the flag, what was typed and the part
// that is wrong: `-assert "p99<<3": expected a number after "<", got "<3"`.
class GateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace hload::reporters
