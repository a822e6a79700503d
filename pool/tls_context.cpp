#include "pool/tls_context.hpp"

#include <openssl/ssl.h>

#include <string>

#include <boost/asio/ssl/error.hpp>

namespace hload::pool {

namespace {

namespace ssl = asio::ssl;

// check throws TlsSetupError saying what failed with what, when ec is an error.
void check(const error_code& ec, const std::string& what, const std::string& file) {
  if (ec) throw TlsSetupError(what + " \"" + file + "\": " + ec.message());
}

// alpn_wire is protos in ALPN's wire format: each name after its length in one byte.
std::string alpn_wire(const std::vector<std::string>& protos) {
  std::string wire;
  for (const std::string& p : protos) {
    if (p.empty() || p.size() > 255) throw TlsSetupError("ALPN protocol name of bad length");
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

}  // namespace

ssl::context make_tls_context(const TlsOptions& options) {
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX* native = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION) != 1) {
    throw TlsSetupError("OpenSSL cannot limit TLS to versions 1.2 and 1.3");
  }
  if (!options.alpn.empty()) {
    const std::string wire = alpn_wire(options.alpn);
    // SSL_CTX_set_alpn_protos returns 0 on success, unlike most of OpenSSL.
    if (SSL_CTX_set_alpn_protos(native, reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size())) != 0) {
      throw TlsSetupError("OpenSSL refused the ALPN protocol list");
    }
  }

  error_code ec;
  if (!options.insecure) {
    // Without a CA file the system's store is trusted, loaded by load_system_trust on the
    // first TLS dial.
    if (!options.ca_file.empty()) {
      ctx.load_verify_file(options.ca_file, ec);
      check(ec, "CA file", options.ca_file);
    }
    ctx.set_verify_mode(ssl::verify_peer, ec);
  } else {
    ctx.set_verify_mode(ssl::verify_none, ec);
  }
  if (ec) throw TlsSetupError("OpenSSL refused the verify mode: " + ec.message());

  if (options.cert_file.empty() != options.key_file.empty()) {
    throw TlsSetupError("a client certificate and its key go together: give both or neither");
  }
  if (!options.cert_file.empty()) {
    ctx.use_certificate_chain_file(options.cert_file, ec);
    check(ec, "client certificate", options.cert_file);
    ctx.use_private_key_file(options.key_file, ssl::context::pem, ec);
    // OpenSSL also refuses a key that does not match the certificate ("key values mismatch").
    check(ec, "client key", options.key_file);
  }
  return ctx;
}

bool reads_files(const TlsOptions& options) {
  return !options.ca_file.empty() || !options.cert_file.empty() || !options.key_file.empty();
}

bool needs_system_trust(const TlsOptions& options) {
  return !options.insecure && options.ca_file.empty();
}

error_code load_system_trust(ssl::context& ctx) {
  error_code ec;
  ctx.set_default_verify_paths(ec);
  return ec;
}

}  // namespace hload::pool
