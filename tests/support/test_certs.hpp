#pragma once

// Certificates made at test time with OpenSSL, so that no key is ever checked in and none
// expires: a CA, server certificates it signs (valid, expired, for another name), one that
// signs itself, and a client certificate. Keys are P-256, quick to make. Every file is PEM.
//
//   const TestCerts certs;
//   server uses certs.server.cert / certs.server.key; a client trusts certs.ca_cert.

#include <string>

namespace hload::test {

// CertFiles are a certificate and its private key, written as files.
struct CertFiles {
  std::string cert{};
  std::string key{};
};

// TestCerts writes the files of a small PKI into a fresh directory of its own, which the
// destructor removes. Throws std::runtime_error when OpenSSL fails.
struct TestCerts {
  TestCerts();
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;
  ~TestCerts();

  std::string dir;  // where the files are

  std::string ca_cert;  // "hload test CA", the issuer of all but self_signed
  // For "localhost", 127.0.0.1 and ::1, valid from yesterday for a year.
  CertFiles server;
  // The same names, but it expired yesterday.
  CertFiles expired;
  // Valid, but for "other.example" only.
  CertFiles other_name;
  // For "localhost", 127.0.0.1 and ::1, issued by itself: no CA vouches for it.
  CertFiles self_signed;
  // A client certificate ("hload test client") for servers that ask for one.
  CertFiles client;
};

}  // namespace hload::test
