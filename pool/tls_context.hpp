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
// the trusted CAs (the system's store, or ca_file instead), peer verification unless insecure,
// and the client certificate and key when given. Throws TlsSetupError.
asio::ssl::context make_tls_context(const TlsOptions& options);

}  // namespace hload::pool
