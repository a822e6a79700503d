#include "tests/support/test_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace hload::test {
namespace {

constexpr long kDay = 24 * 60 * 60;

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TestCerts: OpenSSL failed to ") + what);
}

Key make_key() {
  Key key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "make a key");
  return key;
}

// add_extension adds one X.509v3 extension, written as openssl.cnf writes it.
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "make an extension");
  check(X509_add_ext(cert, ext, -1) == 1, "add an extension");
  X509_EXTENSION_free(ext);
}

// Spec is what one certificate says.
struct Spec {
  const char* common_name;
  const char* subject_alt_names = nullptr;  // "DNS:localhost,IP:127.0.0.1"; none for a client
  long not_before = -kDay;                  // seconds from now
  long not_after = 365 * kDay;
  bool ca = false;
  bool client = false;
};

// make_cert makes a certificate for key per spec, signed by issuer (itself when null).
Cert make_cert(const Spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 1;
  Cert cert(X509_new(), &X509_free);
  check(cert != nullptr, "allocate a certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (spec.ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_ext_key_usage, spec.client ? "clientAuth" : "serverAuth");
  }
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (spec.subject_alt_names) {
    add_extension(cert.get(), signer, NID_subject_alt_name, spec.subject_alt_names);
  }
  check(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "sign");
  return cert;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "w"), &std::fclose);
  check(f != nullptr, ("open " + path).c_str());
  if (cert) check(PEM_write_X509(f.get(), cert) == 1, "write a certificate");
  if (key) {
    check(PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "write a key");
  }
}

CertFiles write_pair(const std::string& dir, const std::string& name, X509* cert, EVP_PKEY* key) {
  CertFiles files{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  write_pem(files.cert, cert, nullptr);
  write_pem(files.key, nullptr, key);
  return files;
}

constexpr const char* kServerNames = "DNS:localhost,IP:127.0.0.1,IP:::1";

}  // namespace

TestCerts::TestCerts() {
  const char* tmp = std::getenv("TMPDIR");
  dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/hload-certs-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + dir);
  }
  // A server started by root may read them as another user (nginx's workers run as nobody).
  ::chmod(dir.c_str(), 0755);
  const Key ca_key = make_key();
  const Cert ca =
      make_cert({.common_name = "hload test CA", .ca = true}, ca_key.get(), nullptr, nullptr);
  ca_cert = dir + "/ca.crt";
  write_pem(ca_cert, ca.get(), nullptr);

  const auto signed_pair = [&](const std::string& name, const Spec& spec) {
    const Key key = make_key();
    const Cert cert = make_cert(spec, key.get(), ca.get(), ca_key.get());
    return write_pair(dir, name, cert.get(), key.get());
  };
  server = signed_pair("server", {.common_name = "localhost", .subject_alt_names = kServerNames});
  expired = signed_pair("expired", {.common_name = "localhost",
                                    .subject_alt_names = kServerNames,
                                    .not_before = -30 * kDay,
                                    .not_after = -kDay});
  other_name = signed_pair(
      "other_name", {.common_name = "other.example", .subject_alt_names = "DNS:other.example"});
  client = signed_pair("client", {.common_name = "hload test client", .client = true});

  const Key self_key = make_key();
  const Cert self = make_cert({.common_name = "localhost", .subject_alt_names = kServerNames},
                              self_key.get(), nullptr, nullptr);
  self_signed = write_pair(dir, "self_signed", self.get(), self_key.get());
}

TestCerts::~TestCerts() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace hload::test
