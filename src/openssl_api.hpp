// Included first by the library's OpenSSL users: compile against the OpenSSL 3 API
// with every deprecated function hidden, so a call to RSA_*, EC_KEY_* or HMAC_CTX_*
// is a build error rather than a review comment.
#pragma once

#ifndef OPENSSL_API_COMPAT
#define OPENSSL_API_COMPAT 30000
#endif
#ifndef OPENSSL_NO_DEPRECATED
#define OPENSSL_NO_DEPRECATED
#endif
