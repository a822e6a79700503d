#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "pool/clock.hpp"
#include "pool/dialer.hpp"
#include "pool/tcp_dialer.hpp"
#include "pool/tls_context.hpp"
#include "pool/tls_http1_conn.hpp"
#include "pool/tls_options.hpp"
#include "pool/tls_session_cache.hpp"

namespace hload::pool {

// TlsConnFactory builds the HTTP/1.1 connection over a stream whose handshake is done, given
// what ALPN chose (empty when the server chose none).
using TlsConnFactory = std::function<std::unique_ptr<Conn>(TlsStream&&, const std::string& alpn)>;

// TlsDialer dials https keys with TLS over a TcpDialer connect, and http keys as the TcpDialer
// does. A TLS dial is two steps, each with its own bound: the TCP connect (dial_timeout, as a
// plain dial), then the handshake (TlsOptions::handshake_timeout). The handshake sends SNI
// (not for an IP address), offers TlsOptions::alpn, speaks TLS 1.2 or 1.3 only, and unless
// insecure checks the server's certificate against the system's CA store (or the CA file) and
// its name against the key's host. Its failures are values, never thrown (pool/tls_errors.hpp):
// a refused certificate in tls_verify_category, Errc::tls_handshake_timeout,
// Errc::tls_handshake_closed, any other refusal in tls_handshake_category; a cancel emitted on
// the dial's slot ends either step with asio::error::operation_aborted. DialResult::tls
// describes the handshake of every connection it returns. A key with ConnKey::Http::v2_alpn
// whose server chose "h2" gets a TlsHttp2Conn, returned once the server's SETTINGS arrived
// (bounded as the handshake is); any other gets the factory's connection.
//
// One TlsDialer serves a whole run: its TLS context (one SSL_CTX) is built once and shared by the
// dials of every thread. It is built in the constructor when the options name a file (a CA,
// certificate or key file that cannot be used is then a usage error before any request), and
// otherwise by the first TLS dial, as the system's CA store is loaded into it, so that a run over
// http pays for neither (docs/performance.md#start-up). It must outlive every connection it made
// (with resumption, the sessions they receive are stored in it).
class TlsDialer final : public Dialer {
 public:
  // Throws TlsSetupError (make_tls_context) when the options' files cannot be used. clock times
  // the name lookup and the handshake; factory builds the connection once the handshake is done.
  TlsDialer(const Clock& clock, TcpDialerOptions tcp, TlsOptions tls,
            TlsConnFactory factory = make_tls_http1_conn);

  asio::awaitable<DialResult> dial(const ConnKey& key, asio::cancellation_slot cancel) override;

  // context_built says whether the TLS context was built (by the constructor or the first TLS
  // dial).
  bool context_built() const noexcept { return context_built_.load(std::memory_order_acquire); }
  // trust_loaded says whether the system's CA store was loaded (by the first TLS dial).
  bool trust_loaded() const noexcept { return trust_loaded_.load(std::memory_order_acquire); }

 private:
  // dial_tls is dial over TLS: the connect, the handshake and the connection ALPN chose. (dial
  // itself is no coroutine, so a dial over http pays for no frame of this one's size.)
  asio::awaitable<DialResult> dial_tls(const ConnKey& key, asio::cancellation_slot cancel);
  // build_context makes the TLS context of the options. Throws TlsSetupError.
  void build_context();
  // ensure_ready builds the context, if the constructor did not, and loads the system's CA store
  // into it, when the options trust it, on its first call; it returns why that failed, on every
  // call.
  error_code ensure_ready();
  // prepare sets what the handshake of a stream to key sends and checks: SNI, the name check,
  // the session to resume.
  void prepare(TlsStream& stream, const ConnKey& key);
  // handshake_error names why the handshake of stream failed with ec.
  error_code handshake_error(TlsStream& stream, const error_code& ec) const;

  const Clock& clock_;
  TcpDialer tcp_;
  const TlsOptions options_;
  TlsConnFactory factory_;
  // Written once: in the constructor or under ready_once_.
  std::optional<asio::ssl::context> context_;
  std::once_flag ready_once_;
  error_code ready_error_;  // written once, under ready_once_
  std::atomic<bool> context_built_{false};
  std::atomic<bool> trust_loaded_{false};
  TlsSessionCache sessions_;
};

}  // namespace hload::pool
