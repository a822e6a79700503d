// Beast is built once here (BOOST_BEAST_SEPARATE_COMPILATION) instead of in every translation
// unit. This includes the in-memory test stream, which the codec tests link against.
#include <boost/beast/src.hpp>
