#pragma once

#include <openssl/ssl.h>

#include <map>
#include <memory>
#include <mutex>

#include "pool/conn_key.hpp"

namespace hload::pool {

// TlsSessionCache keeps, per host key, the last TLS session that host gave, so that the next
// handshake with it can resume the session (an abbreviated handshake, no certificate sent).
// OpenSSL hands a new session to a callback: during the handshake (TLS 1.2), or when the client
// reads the server's session tickets after it (TLS 1.3, on the connection's first read). So
// attach installs that callback on the context, and offer ties each connection to its host's
// slot, where the callback stores what it gets. Thread-safe: connections of every thread share
// it. It must outlive every connection it was offered to.
class TlsSessionCache {
 public:
  TlsSessionCache() = default;
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;
  ~TlsSessionCache();

  // attach makes ctx hand every new client session to the cache of the connection it belongs to
  // (client-side session caching, without OpenSSL's own store). Once per context.
  static void attach(SSL_CTX* ctx);

  // offer sets the last session of key on ssl, if there is one, and makes the sessions ssl gets
  // from now on replace it. Call before the handshake.
  void offer(SSL* ssl, const ConnKey& key);

 private:
  struct Slot {
    TlsSessionCache* cache = nullptr;
    SSL_SESSION* session = nullptr;  // owned: one reference, to a copy no connection holds
  };

  // on_new_session is OpenSSL's new-session callback: it keeps a copy of session in the slot
  // of ssl, if it has one, and leaves OpenSSL the reference it was given.
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  std::mutex mu_;  // guards the map and every slot's session
  std::map<ConnKey, std::unique_ptr<Slot>> slots_;
};

}  // namespace hload::pool
