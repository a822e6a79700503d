#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "pool/clock.hpp"

namespace hload::pool {

// TlsOptions are the knobs of the TLS dialer (TlsDialer), the same for every host of a run.
struct TlsOptions {
  // insecure skips every check of the server's certificate: its chain and its name.
  bool insecure = false;
  // ca_file, a PEM file, replaces the system's CA store as the certificates trusted.
  std::string ca_file;
  // cert_file (a PEM chain, the client's certificate first) and key_file (its PEM private key)
  // are sent to a server that asks for a client certificate; both or neither.
  std::string cert_file;
  std::string key_file;
  // alpn lists the protocols offered, most preferred first; the connection factory gets the one
  // the server chose. "h2" goes first once HTTP/2 is spoken.
  std::vector<std::string> alpn{"http/1.1"};
  // handshake_timeout bounds the handshake, after the TCP connect; expiry ends the dial with
  // Errc::tls_handshake_timeout. Zero or less means no bound.
  Duration handshake_timeout = std::chrono::seconds(10);
  // resume offers each host the last session it gave (an abbreviated handshake).
  bool resume = false;
  // release_idle_buffers has a connection give OpenSSL's record buffers (about 34 KiB) back
  // whenever it has read and written all it had: the memory of tens of thousands of open
  // connections, at the cost of allocating both buffers again on every round trip.
  bool release_idle_buffers = true;
};

}  // namespace hload::pool
