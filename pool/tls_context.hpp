#pragma once

#include <stdexcept>

#include <boost/asio/ssl/context.hpp>

#include "pool/error.hpp"
#include "pool/tls_options.hpp"

namespace hload::pool {

namespace asio = boost::asio;

// TlsSetupError is a TLS configuration that cannot be used: a CA, certificate or key file that
// does not load, or a key that does not match its certificate. Thrown only when a TLS context is
// built, before any dial; its message is one line that names the file and OpenSSL's reason.
struct TlsSetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// make_tls_context builds the client context of options: TLS 1.2 and 1.3 only, the ALPN list,
// ca_file's CAs when given, peer verification unless insecure, and the client certificate and
// key when given. Throws TlsSetupError. Every file is read here, so that a bad one is a usage
// error before any request.
asio::ssl::context make_tls_context(const TlsOptions& options);

// reads_files says whether make_tls_context reads a file of options (a CA file, a client
// certificate or key), and so may throw TlsSetupError for a file that cannot be used.
bool reads_files(const TlsOptions& options);

// needs_system_trust says whether a context of options trusts the system's CA store: when it
// verifies servers and was given no CA file.
bool needs_system_trust(const TlsOptions& options);

// load_system_trust loads the system's CA store into ctx. It is not part of make_tls_context
// because parsing the store's bundle costs about 70 ms of CPU and a megabyte and a half of
// memory, which a run that never dials TLS should not pay (docs/performance.md#start-up).
error_code load_system_trust(asio::ssl::context& ctx);

}  // namespace hload::pool
