#ifndef CRAWL_CCRYPTO_SHIM_H
#define CRAWL_CCRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/evp.h>
#endif
