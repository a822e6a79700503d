#include "pool/tls_session_cache.hpp"

#include "pool/bug.hpp"

namespace hload::pool {

namespace {

// slot_index is where an SSL keeps the address of its host's slot (SSL ex_data), allocated once
// per process.
int slot_index() {
  static const int kIndex = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  HLOAD_CHECK(kIndex >= 0, "no OpenSSL ex_data index for the TLS session cache");
  return kIndex;
}

}  // namespace

TlsSessionCache::~TlsSessionCache() {
  for (auto& [key, slot] : slots_) SSL_SESSION_free(slot->session);
}

void TlsSessionCache::attach(SSL_CTX* ctx) {
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsSessionCache::on_new_session);
}

void TlsSessionCache::offer(SSL* ssl, const ConnKey& key) {
  std::lock_guard l(mu_);
  auto& slot = slots_[key];
  if (!slot) {
    slot = std::make_unique<Slot>();
    slot->cache = this;
  }
  if (slot->session) {
    // A copy: OpenSSL marks the session of a connection freed without a close_notify (as the
    // pool closes them) as not resumable, and the slot's must stay resumable.
    SSL_SESSION* copy = SSL_SESSION_dup(slot->session);
    if (copy) {
      SSL_set_session(ssl, copy);
      SSL_SESSION_free(copy);
    }
  }
  SSL_set_ex_data(ssl, slot_index(), slot.get());
}

int TlsSessionCache::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* slot = static_cast<Slot*>(SSL_get_ex_data(ssl, slot_index()));
  if (!slot) return 0;
  // session stays the connection's (see offer): the slot keeps a copy, and OpenSSL keeps the
  // reference it passed (returning 0).
  SSL_SESSION* copy = SSL_SESSION_dup(session);
  if (!copy) return 0;
  std::lock_guard l(slot->cache->mu_);
  SSL_SESSION_free(slot->session);
  slot->session = copy;
  return 0;
}

}  // namespace hload::pool
