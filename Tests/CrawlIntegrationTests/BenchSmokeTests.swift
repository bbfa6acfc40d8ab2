import Foundation
import Testing

/// `make bench`'s harness, small: `scripts/bench.py --smoke` generates a 2-host site on
/// 127.0.0.141-142 (a free port), serves it with nginx, crawls it once with this build's binary
/// and audits nginx's log; then grows a job database with the scale generator and reads it back
/// with `crawl stats --json`. Correctness only (coverage, duplicates, unexpected and disallowed
/// requests, exit codes); the harness stops its nginx and removes its files itself.
@Suite("make bench: the harness's smoke run")
struct BenchSmokeTests {
    @Test func smokeRunCrawlsTheBenchSiteCompletelyAndExactly() async throws {
        let scratch = try ScratchDirectory("bench-smoke")
        defer { scratch.remove() }
        let crawl = try IntegrationEnvironment.crawlBinary()
        let script = IntegrationEnvironment.packageRoot + "/scripts/bench.py"

        let result = try await ChildProcess.run(
            IntegrationEnvironment.env, ["python3", script, "--smoke", "--crawl", crawl],
            in: scratch.path, name: "bench-smoke", timeout: 180)
        #expect(result.code == 0, "\(result)\nstdout:\n\(result.stdout)")
        let verdicts = result.stdout.split(separator: "\n").filter { $0.hasPrefix("  met ") || $0.hasPrefix("  NOT MET ") }
        #expect(verdicts.count == 2 && verdicts.allSatisfy { $0.hasPrefix("  met ") }, "smoke checks:\n\(result.stdout)")
    }
}
