#ifndef CRAWL_CZLIB_SHIM_H
#define CRAWL_CZLIB_SHIM_H
/* zlib, for inflating gzip-compressed sitemaps (see SitemapGzipInflater.swift). */
#include <zlib.h>
#endif
