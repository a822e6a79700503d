// Asio is built once here (BOOST_ASIO_SEPARATE_COMPILATION) instead of in every translation unit,
// its TLS stream (OpenSSL) included.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
