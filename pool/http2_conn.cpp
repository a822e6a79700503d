#include "pool/http2_conn.hpp"

#include "pool/http2_conn_impl.hpp"

namespace hload::pool {

template class BasicHttp2Conn<asio::ip::tcp::socket>;

}  // namespace hload::pool
