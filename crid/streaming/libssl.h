// OpenSSL's TLS functions, loaded when the first TLS context is made.
//
// Why not link libssl: loading libssl and libcrypto costs every process
// ~1.7 MiB of resident memory (their relocations and start-up), and crid
// needs them only with stream_enable_tls (cridctl: for an https stream URL).
// TlsContext::server and ::client call load_libssl() first; every other
// function here runs on a context, so libssl() is loaded by then.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "libcontainer/result.h"

namespace berth::crid::streaming {

#define BERTH_LIBSSL_FUNCTIONS(X)                                                                 \
  X(ERR_clear_error) X(ERR_get_error) X(ERR_peek_error) X(ERR_reason_error_string)               \
  X(OPENSSL_thread_stop) X(SSL_CTX_check_private_key) X(SSL_CTX_ctrl) X(SSL_CTX_free)            \
  X(SSL_CTX_load_verify_locations) X(SSL_CTX_new) X(SSL_CTX_set_client_CA_list)                 \
  X(SSL_CTX_set_default_verify_paths) X(SSL_CTX_set_verify) X(SSL_CTX_use_PrivateKey_file)      \
  X(SSL_CTX_use_certificate_chain_file) X(SSL_accept) X(SSL_connect) X(SSL_ctrl) X(SSL_free)    \
  X(SSL_get0_param) X(SSL_get_error) X(SSL_get_verify_result) X(SSL_load_client_CA_file)        \
  X(SSL_new) X(SSL_read) X(SSL_set1_host) X(SSL_set_fd) X(SSL_shutdown) X(SSL_write)            \
  X(TLS_client_method) X(TLS_server_method) X(X509_VERIFY_PARAM_set1_ip_asc)                    \
  X(X509_verify_cert_error_string)

struct LibSsl {
#define BERTH_LIBSSL_MEMBER(name) decltype(&::name) name;
  BERTH_LIBSSL_FUNCTIONS(BERTH_LIBSSL_MEMBER)
#undef BERTH_LIBSSL_MEMBER
};

// Loads libssl.so.N (N: the version compiled against) once; later calls
// return the first outcome. The error names the library and dlopen's reason.
Result<const LibSsl *> load_libssl();

// The loaded functions; only after load_libssl() succeeded.
const LibSsl &libssl();

}  // namespace berth::crid::streaming
