#include "pool/tcp_dialer.hpp"

#include <array>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "pool/conn_factory.hpp"
#include "pool/dial_abort.hpp"
#include "pool/errors.hpp"
#include "pool/in_place_op.hpp"

namespace hload::pool {

namespace {

using asio::ip::tcp;

// ip_literal parses host as an IPv4 or IPv6 address, so that dialing an address skips the
// resolver (and its thread hop) entirely.
std::optional<asio::ip::address> ip_literal(const std::string& host) {
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return address;
}

// Address is where a dial connects: the target itself, or the HTTP proxy it goes through.
struct Address {
  std::string host;
  std::uint16_t port = 0;
};

// address_of returns where to connect for key. A proxy is "host:port" (the command line has
// checked its form); an IPv6 host is written in brackets.
Address address_of(const ConnKey& key) {
  if (key.proxy.empty()) return {key.host, key.port};
  const auto colon = key.proxy.rfind(':');
  std::string host = key.proxy.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const int port = colon == std::string::npos ? 80 : std::atoi(key.proxy.c_str() + colon + 1);
  return {host, static_cast<std::uint16_t>(port)};
}

// connect_any connects socket to the first of endpoints that takes it and returns the last
// failure otherwise. Asio's own range connect reports a socket it could not open (out of
// descriptors: EMFILE) as operation_aborted, which would hide the reason; here each socket is
// opened apart, and its failure kept.
template <class Endpoints>
asio::awaitable<error_code> connect_any(tcp::socket& socket, const Endpoints& endpoints,
                                        asio::cancellation_slot slot) {
  error_code last = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    const tcp::endpoint endpoint = entry;
    error_code ec;
    socket.close(ec);
    socket.open(endpoint.protocol(), ec);
    if (ec) {
      last = ec;
      continue;
    }
    const auto [connect_ec] = co_await in_place_op<error_code>([&](auto handler) {
      socket.async_connect(endpoint, asio::bind_cancellation_slot(slot, std::move(handler)));
    });
    if (!connect_ec) co_return error_code{};
    last = connect_ec;
    if (connect_ec == asio::error::operation_aborted) break;
  }
  co_return last;
}

}  // namespace

asio::awaitable<DialResult> TcpDialer::dial(const ConnKey& key, asio::cancellation_slot cancel) {
  TcpConnection c = co_await connect(key, cancel);
  if (c.ec || c.aborted) co_return DialResult{c.ec ? c.ec : c.aborted, nullptr, c.resolve_time};
  // HTTP/2's SETTINGS exchange is part of the dial, bounded by a timeout of its own as long as
  // the connect's.
  const auto abort = std::make_shared<DialAbort>(co_await asio::this_coro::executor);
  DialAbort::arm(abort, cancel, options_.dial_timeout, Errc::dial_timeout);
  DialResult made =
      co_await make_conn(std::move(*c.socket), cleartext_protocol(key.http), abort->slot());
  if (made.ec && abort->error()) made.ec = abort->error();
  made.resolve_time = c.resolve_time;
  co_return made;
}

asio::awaitable<TcpConnection> TcpDialer::connect(const ConnKey& key,
                                                  asio::cancellation_slot cancel) {
  const auto executor = co_await asio::this_coro::executor;
  const auto abort = std::make_shared<DialAbort>(executor);
  DialAbort::arm(abort, cancel, options_.dial_timeout, Errc::dial_timeout);
  auto token = asio::bind_cancellation_slot(abort->slot(), asio::as_tuple(asio::use_awaitable));

  // A step that fails because the dial was aborted reports the abort's reason; a step that
  // succeeds just as the abort comes keeps its result, but no further step starts.
  tcp::socket socket(executor);
  const Address to = address_of(key);
  Duration resolve_time{};
  const auto failed = [&](error_code ec) {
    return TcpConnection{abort->error() ? abort->error() : ec, std::nullopt, resolve_time, {}};
  };
  if (const auto address = ip_literal(to.host)) {
    const std::array endpoints{tcp::endpoint(*address, to.port)};
    const error_code ec = co_await connect_any(socket, endpoints, abort->slot());
    if (ec) co_return failed(ec);
  } else {
    const TimePoint lookup = clock_.now();
    const auto [resolve_ec, results] = co_await abort->resolver().async_resolve(
        to.host, std::to_string(to.port), tcp::resolver::numeric_service, token);
    resolve_time = clock_.now() - lookup;
    if (abort->error()) co_return failed(abort->error());
    if (resolve_ec) co_return failed(resolve_ec);
    // Each resolved address is tried in turn; the last failure is the one reported.
    const error_code ec = co_await connect_any(socket, results, abort->slot());
    if (ec) co_return failed(ec);
  }

  // Set once here so that no request pays for a socket option.
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  if (ec) co_return TcpConnection{ec, std::nullopt, resolve_time, {}};
  co_return TcpConnection{{}, std::move(socket), resolve_time, abort->error()};
}

}  // namespace hload::pool
