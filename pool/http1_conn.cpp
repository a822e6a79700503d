#include "pool/http1_conn.hpp"

#include "pool/http1_conn_impl.hpp"

namespace hload::pool {

template class BasicHttp1Conn<asio::ip::tcp::socket>;

}  // namespace hload::pool
