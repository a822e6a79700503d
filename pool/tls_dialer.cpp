#include "pool/tls_dialer.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <mutex>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pool/dial_abort.hpp"
#include "pool/errors.hpp"
#include "pool/tls_errors.hpp"
#include "pool/tls_http2_conn.hpp"

namespace hload::pool {

namespace {

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// describe reads what a completed handshake agreed on.
TlsInfo describe(SSL* ssl, Duration took) {
  TlsInfo info;
  info.handshake_time = took;
  info.resumed = SSL_session_reused(ssl) == 1;
  info.version = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) info.cipher = cipher;
  const unsigned char* alpn = nullptr;
  unsigned alpn_size = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
  if (alpn) info.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_size);
  return info;
}

}  // namespace

TlsDialer::TlsDialer(const Clock& clock, TcpDialerOptions tcp, TlsOptions tls,
                     TlsConnFactory factory)
    : clock_(clock), tcp_(clock, tcp), options_(std::move(tls)), factory_(std::move(factory)) {
  if (reads_files(options_)) build_context();
}

void TlsDialer::build_context() {
  context_.emplace(make_tls_context(options_));
  if (options_.resume) TlsSessionCache::attach(context_->native_handle());
  context_built_.store(true, std::memory_order_release);
}

asio::awaitable<DialResult> TlsDialer::dial(const ConnKey& key, asio::cancellation_slot cancel) {
  // The caller keeps key alive until the dial ends, whichever coroutine reads it.
  if (key.scheme != "https") return tcp_.dial(key, cancel);
  return dial_tls(key, cancel);
}

asio::awaitable<DialResult> TlsDialer::dial_tls(const ConnKey& key,
                                                asio::cancellation_slot cancel) {
  if (const error_code not_ready = ensure_ready())
    co_return DialResult{not_ready, nullptr, {}, std::nullopt};
  TcpConnection tcp = co_await tcp_.connect(key, cancel);
  if (tcp.ec || tcp.aborted) {
    co_return DialResult{tcp.ec ? tcp.ec : tcp.aborted, nullptr, tcp.resolve_time, std::nullopt};
  }

  TlsStream stream(std::move(*tcp.socket), *context_);
  prepare(stream, key);
  const auto abort = std::make_shared<DialAbort>(co_await asio::this_coro::executor);
  DialAbort::arm(abort, cancel, options_.handshake_timeout, Errc::tls_handshake_timeout);
  const TimePoint start = clock_.now();
  const auto [ec] = co_await stream.async_handshake(
      asio::bind_cancellation_slot(abort->slot(), asio::as_tuple(asio::use_awaitable)));
  const Duration took = clock_.now() - start;
  if (ec) {
    const error_code why = abort->error() ? abort->error() : handshake_error(stream, ec);
    co_return DialResult{why, nullptr, tcp.resolve_time, std::nullopt};
  }
  TlsInfo info = describe(stream.native_handle(), took);
  if (key.http == ConnKey::Http::v2_alpn && info.alpn == "h2") {
    DialResult made =
        co_await start_tls_http2_conn(std::move(stream), cancel, options_.handshake_timeout);
    made.resolve_time = tcp.resolve_time;
    if (!made.ec) made.tls = std::move(info);
    co_return made;
  }
  std::unique_ptr<Conn> conn = factory_(std::move(stream), info.alpn);
  co_return DialResult{{}, std::move(conn), tcp.resolve_time, std::move(info)};
}

error_code TlsDialer::ensure_ready() {
  // Every TLS dial waits here until the context is built and its store is in, so none makes an
  // SSL object of the context while it is being filled.
  std::call_once(ready_once_, [this] {
    if (!context_) {
      try {
        build_context();
      } catch (const std::exception&) {
        // With no file to read only OpenSSL itself can fail here (out of memory, a broken
        // configuration): every TLS dial fails, and the run goes on counting them.
        ready_error_ = make_handshake_error(
            error_code(static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, ERR_R_INTERNAL_ERROR)),
                       asio::error::get_ssl_category()));
        return;
      }
    }
    if (needs_system_trust(options_)) {
      ready_error_ = load_system_trust(*context_);
      trust_loaded_.store(true, std::memory_order_release);
    }
  });
  return ready_error_;
}

void TlsDialer::prepare(TlsStream& stream, const ConnKey& key) {
  SSL* ssl = stream.native_handle();
  // SNI names a host; RFC 6066 does not allow an address there.
  const bool ip = is_ip_literal(key.host);
  if (!ip) SSL_set_tlsext_host_name(ssl, key.host.c_str());
  if (!options_.insecure) {
    // OpenSSL checks the name (or address) with the chain, and a mismatch is its own
    // verify result: hostname mismatch, IP address mismatch.
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, key.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, key.host.c_str(), key.host.size());
    }
  }
  if (options_.resume) sessions_.offer(ssl, key);
  if (options_.release_idle_buffers) SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
}

error_code TlsDialer::handshake_error(TlsStream& stream, const error_code& ec) const {
  namespace ae = asio::error;
  // A close in the middle of the handshake is OpenSSL's "unexpected eof", which
  // tls_read_error reads as eof, as it does a truncated stream.
  const error_code closed = tls_read_error(ec);
  if (closed == ae::eof || closed == ae::connection_reset || closed == ae::broken_pipe) {
    return Errc::tls_handshake_closed;
  }
  if (ec.category() == ae::get_ssl_category()) {
    const long verify = SSL_get_verify_result(stream.native_handle());
    if (!options_.insecure && verify != X509_V_OK &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
      return make_verify_error(verify);
    }
    return make_handshake_error(ec);
  }
  return ec;
}

}  // namespace hload::pool
