#pragma once

// RequestSample is one finished request as the per-request output (-o csv) writes it: hey's
// columns. A RequestSink receives them as requests finish, on the thread that ran each; the
// engine gives each worker thread a sink of its own, so a sink needs no lock for its own state.

#include <cstdint>
#include <functional>
#include <memory>

namespace hload::engine {

struct RequestSample {
  double response_s = 0;  // the whole request, redirects included
  double dial_s = 0;      // the dial that made its connection, name lookup included; 0 if reused
  double dns_s = 0;       // of which the name lookup
  double write_s = 0;     // writing the request
  double delay_s = 0;     // from the request written to the first byte of the response
  double read_s = 0;      // from the first byte to the end of the response
  unsigned status = 0;    // 0 when no response came
  double offset_s = 0;    // when the request started, from the start of the run
};

class RequestSink {
 public:
  virtual ~RequestSink() = default;
  virtual void on_request(const RequestSample& s) = 0;
  // flush is called once on the sink's thread after its last request.
  virtual void flush() = 0;
};

// RequestSinkFactory makes the sink of one worker thread.
using RequestSinkFactory = std::function<std::unique_ptr<RequestSink>()>;

}  // namespace hload::engine
