import Foundation
import Testing

/// Redirects: one row per hop, chains cut after 10, loops recorded and not re-requested, other
/// schemes and out-of-scope targets recorded and not followed, robots.txt checked on every hop.
@Suite("crawl: redirect policy")
struct RedirectPolicyTests {
    @Test func redirectChainsLoopsSchemesScopeAndRobots() async throws {
        let (host, outside) = ("127.0.0.109", "127.0.0.110")
        var scenario = PoliteScenario()
        scenario[host, "/robots.txt"] = .robots("User-agent: *\nDisallow: /private/\n")
        scenario[host, "/"] = .page(["/chain/0", "/loop/a", "/to-file", "/to-ftp", "/to-outside", "/to-private"])
        for hop in 0...11 { scenario[host, "/chain/\(hop)"] = .redirect("/chain/\(hop + 1)", status: hop % 2 == 0 ? 301 : 302) }
        scenario[host, "/chain/12"] = .page()
        scenario[host, "/loop/a"] = .redirect("/loop/b")
        scenario[host, "/loop/b"] = .redirect("{origin}/loop/a", status: 302)
        scenario[host, "/to-file"] = .redirect("file:///etc/passwd")
        scenario[host, "/to-ftp"] = .redirect("ftp://\(host)/pub/file.txt")
        scenario[host, "/to-outside"] = .redirect("http://\(outside):{port}/landing.html")
        scenario[host, "/to-private"] = .redirect("/private/secret.html")
        scenario[host, "/private/secret.html"] = .page()
        scenario[outside, "/landing.html"] = .page()
        try await PoliteCrawl.with("redirects", hosts: [host, outside], scenario: scenario) { world in
            // Only the first host is in scope: no --allow-host for the second.
            let result = try await world.crawl.run(
                ["start", world.seed, "--db", world.scratch.db, "--out", world.scratch.out, "--timeout", "2", "--delay", "0.02"],
                timeout: 60)
            await world.server.settle()
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests()
            let counts = requests.countsByTarget
            let rows = try world.rows()
            let schedule = try CrawlDatabase.schedule(world.scratch.db)

            // The chain: 10 redirects followed, the 11th recorded and not followed.
            for hop in 0...10 {
                let url = world.url("/chain/\(hop)")
                #expect(counts["/chain/\(hop)"] == 1, "/chain/\(hop) requested \(counts["/chain/\(hop)"] ?? 0) times")
                #expect(rows[url]?.state == "done" && rows[url]?.redirectTo == world.url("/chain/\(hop + 1)")
                        && rows[url]?.status == (hop % 2 == 0 ? 301 : 302), "/chain/\(hop): \(String(describing: rows[url]))")
                #expect(schedule[url]?.redirectHops == hop, "/chain/\(hop): redirect_hops \(String(describing: schedule[url]?.redirectHops))")
                #expect(rows[url]?.errorKind == (hop == 10 ? "too_many_redirects" : nil), "/chain/\(hop): \(String(describing: rows[url]?.errorKind))")
            }
            #expect(counts["/chain/11"] == nil, "the target of the 11th redirect was requested")

            // The loop: each hop requested once, the row whose target leads back marked.
            #expect(counts["/loop/a"] == 1 && counts["/loop/b"] == 1, "loop: a \(counts["/loop/a"] ?? 0)×, b \(counts["/loop/b"] ?? 0)×")
            let loopB = rows[world.url("/loop/b")]
            #expect(loopB?.errorKind == "redirect_loop" && loopB?.redirectTo == world.url("/loop/a"), "\(String(describing: loopB))")

            // Other schemes: recorded, not followed.
            for (path, scheme) in [("/to-file", "file"), ("/to-ftp", "ftp")] {
                let row = rows[world.url(path)]
                #expect(row?.state == "done" && row?.errorKind == "redirect_invalid" && row?.error?.contains(scheme) == true,
                        "\(path): \(String(describing: row))")
            }
            #expect(!rows.keys.contains { $0.hasPrefix("file:") || $0.hasPrefix("ftp:") })

            // Out of scope: recorded, not followed.
            #expect(rows[world.url("/to-outside")]?.errorKind == "redirect_out_of_scope")
            #expect(world.server.requests(on: outside).isEmpty, "the out-of-scope target was requested")

            // robots.txt is checked on the hop: the target is skipped, never requested.
            let secret = rows[world.url("/private/secret.html")]
            #expect(secret?.state == "skipped" && secret?.errorKind == "robots", "\(String(describing: secret))")
            #expect(counts["/private/secret.html"] == nil)
            #expect(requests.filter { $0.n > 1 }.isEmpty, "requested more than once: \(requests.filter { $0.n > 1 }.listing)")
        }
    }
}
