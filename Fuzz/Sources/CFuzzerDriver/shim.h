#ifndef CRAWL_CFUZZERDRIVER_SHIM_H
#define CRAWL_CFUZZERDRIVER_SHIM_H
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver (libclang_rt.fuzzer, linked by -sanitize=fuzzer). SwiftPM renames an
   executable's entry point on Linux, so libFuzzer's own main is not used: each target's main.swift
   runs this driver with its LLVMFuzzerTestOneInput. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
