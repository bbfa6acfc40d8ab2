import FuzzSupport

// libFuzzer on fuzzLinkExtractor; see FuzzLinkExtractor.swift.
runFuzzer(fuzzLinkExtractor)
