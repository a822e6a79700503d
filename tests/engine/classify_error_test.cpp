#include "engine/classify_error.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/errc.hpp>

#include "engine/engine_errors.hpp"
#include "pool/errors.hpp"
#include "pool/h2_errors.hpp"

namespace hload::engine {
namespace {

namespace errc = boost::system::errc;

ErrorKind kind_of(const pool::error_code& ec) { return classify_error(ec, false); }

// hload's own shortages are named apart from the server's failures, with a hint in the report.
TEST(ClassifyErrorTest, LocalShortagesHaveKindsOfTheirOwn) {
  EXPECT_EQ(kind_of(make_error_code(errc::too_many_files_open)), ErrorKind::fd_limit);
  EXPECT_EQ(kind_of(make_error_code(errc::too_many_files_open_in_system)), ErrorKind::fd_limit);
  EXPECT_EQ(kind_of(boost::asio::error::no_descriptors), ErrorKind::fd_limit);
  EXPECT_EQ(kind_of(make_error_code(errc::address_not_available)), ErrorKind::no_local_port);
}

TEST(ClassifyErrorTest, ServerAndNetworkFailures) {
  EXPECT_EQ(kind_of(boost::asio::error::connection_refused), ErrorKind::connect_refused);
  EXPECT_EQ(kind_of(pool::Errc::dial_timeout), ErrorKind::connect_timeout);
  EXPECT_EQ(kind_of(boost::asio::error::host_not_found), ErrorKind::dns);
  EXPECT_EQ(kind_of(boost::asio::error::connection_reset), ErrorKind::conn_reset);
  EXPECT_EQ(kind_of(boost::asio::error::eof), ErrorKind::conn_closed);
  EXPECT_EQ(kind_of(boost::beast::http::error::bad_status), ErrorKind::protocol);
  EXPECT_EQ(kind_of(EngineErrc::too_many_redirects), ErrorKind::redirect);
  EXPECT_EQ(kind_of(EngineErrc::bad_redirect), ErrorKind::redirect);
  EXPECT_EQ(classify_error(boost::asio::error::operation_aborted, true), ErrorKind::timeout);
  EXPECT_EQ(kind_of(boost::asio::error::operation_aborted), ErrorKind::other);
}

// HTTP/2's own failures: a reset keeps the server's code in its message, under one kind.
TEST(ClassifyErrorTest, Http2StreamFailures) {
  EXPECT_EQ(kind_of(pool::Errc::refused_stream), ErrorKind::refused_stream);
  EXPECT_EQ(kind_of(pool::Errc::stream_reset), ErrorKind::stream_reset);
  EXPECT_EQ(kind_of(pool::stream_reset_error(0x2)), ErrorKind::stream_reset);
  EXPECT_EQ(kind_of(pool::stream_reset_error(0xff)), ErrorKind::stream_reset);
  EXPECT_EQ(kind_of(pool::Errc::h2_protocol), ErrorKind::protocol);
  EXPECT_EQ(pool::stream_reset_error(0x2).message(), "stream reset by the server (INTERNAL_ERROR)");
  EXPECT_EQ(pool::stream_reset_error(0xb).message(),
            "stream reset by the server (ENHANCE_YOUR_CALM)");
  EXPECT_EQ(pool::stream_reset_error(0x1f).message(),
            "stream reset by the server (error code 0x1f)");
  EXPECT_EQ(to_string(ErrorKind::stream_reset), std::string("stream_reset"));
  EXPECT_EQ(to_string(ErrorKind::refused_stream), std::string("refused_stream"));
  EXPECT_EQ(to_string(ErrorKind::other), std::string("other"));
}

}  // namespace
}  // namespace hload::engine
