#ifndef CRAWL_CLIBXML2_SHIM_H
#define CRAWL_CLIBXML2_SHIM_H
/* Debian builds libxml2 with ICU, so <libxml/encoding.h> includes the system's <unicode/ucnv.h>.
 * Its UErrorCode clashes with the ICU copy inside Swift's Foundation (_FoundationICU) as soon as a
 * module sees both. crawl never touches libxml2's ICU converter fields (they sit at the end of
 * xmlCharEncodingHandler, which is only used through pointers), so hide ICU from these headers. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <libxml/encoding.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#endif
