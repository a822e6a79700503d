#include "engine/failure_message.hpp"

#include <chrono>
#include <cstdio>

namespace hload::engine {

namespace {

// stage names how far the hop had got: what it was doing when it failed.
const char* stage(const HopRecord& hop) {
  if (!hop.conn) return "waiting for a connection";
  if (hop.written_at == pool::TimePoint{}) return "writing the request";
  if (hop.first_byte_at == pool::TimePoint{}) return "waiting for the response";
  return "reading the response";
}

std::string seconds(pool::Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%gs", std::chrono::duration<double>(d).count());
  return text;
}

}  // namespace

std::string describe_failure(const RequestRecord& r, const RunConfig& cfg) {
  const HopRecord& hop = *r.last_hop;
  const Target& t = hop.to->target;
  std::string out = t.method + " " + t.url + ": ";
  if (r.timed_out) return out + "timed out after " + seconds(cfg.timeout) + " " + stage(hop);
  if (r.ec != hop.ec) return out + r.ec.message();  // a redirect that could not be followed
  if (!hop.conn) return out + "dial " + t.key.to_string() + ": " + r.ec.message();
  return out + r.ec.message() + " (" + stage(hop) + ")";
}

}  // namespace hload::engine
