import FuzzSupport

// libFuzzer on fuzzURL; see FuzzURL.swift.
runFuzzer(fuzzURL)
