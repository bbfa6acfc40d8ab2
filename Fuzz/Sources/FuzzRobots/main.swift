import FuzzSupport

// libFuzzer on fuzzRobots; see FuzzRobots.swift.
runFuzzer(fuzzRobots)
